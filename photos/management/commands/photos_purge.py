from django.core.management.base import BaseCommand

from photos.models import ListingPhoto
from photos.services import photos_purge


class Command(BaseCommand):
    help = "Delete the photos (and files) that no undo or redo can bring back any more."

    def handle(self, *args, **options) -> None:
        owners = ListingPhoto.objects.values_list("owner_id", flat=True).distinct().order_by()
        purged = sum(photos_purge(owner_id=owner_id) for owner_id in owners)
        self.stdout.write(f"{purged} photos purged.")
