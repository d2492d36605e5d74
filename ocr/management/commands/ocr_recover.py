from django.core.management.base import BaseCommand

from ocr.worker import recover_stale_scans


class Command(BaseCommand):
    help = (
        "Queue again the scans a dead worker left in processing (fail those out of tries). "
        "Workers do this whenever they start a scan; run it from cron when the queue may be idle."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Recovered {recover_stale_scans()} stale scans.")
