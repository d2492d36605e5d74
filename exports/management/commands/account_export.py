from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from exports.backup import account_backup_create


class Command(BaseCommand):
    help = (
        "Write one account's backup zip (listings, templates, history and the parts in "
        "ACCOUNT_BACKUP_PARTS); manage.py account_import restores it on any installation."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--output", help="the zip to write (default: the backup's own name, here)")

    def handle(self, *args, email: str, output: str | None, **options) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account {email}.")
        backup = account_backup_create(user=user)
        path = Path(output or backup.filename)
        with backup.file, path.open("wb") as target:
            while chunk := backup.file.read(1 << 20):
                target.write(chunk)
        counts = ", ".join(f"{count} {name}" for name, count in backup.counts.items())
        self.stdout.write(f"Wrote {path}: {counts}.")
