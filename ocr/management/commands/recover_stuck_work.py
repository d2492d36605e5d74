from django.core.management.base import BaseCommand

from listings.importing.services import imports_recover_stuck
from ocr.services import recover_stale_scans


class Command(BaseCommand):
    help = (
        "Recover the work a dead worker left behind: OCR scans left processing are queued "
        "again (failed after 3 tries), imports left committing are marked failed (nothing "
        "was written; the seller commits again). Workers sweep whenever they start a scan "
        "or an import commit; run this from cron when the queue may be idle."
    )

    def handle(self, *args, **options) -> None:
        scans, imports = recover_stale_scans(), imports_recover_stuck()
        self.stdout.write(f"Recovered {scans} stale scans and {imports} stuck imports.")
