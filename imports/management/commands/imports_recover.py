from django.core.management.base import BaseCommand

from imports.services import imports_recover_stuck


class Command(BaseCommand):
    help = (
        "Mark failed the imports a dead worker left committing (nothing was written; the "
        "seller commits again). Workers do this whenever they start an import commit; run "
        "it from cron, beside ocr_recover, when the queue may be idle."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Recovered {imports_recover_stuck()} stuck imports.")
