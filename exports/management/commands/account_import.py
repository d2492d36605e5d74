from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_create
from exports.backup import account_restore
from marketplace.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Restore a backup zip from manage.py account_export into an empty account, made "
        "here if it does not exist (it then has no password: set one, or reset it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("zip", type=Path)

    def handle(self, *args, email: str, zip: Path, **options) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_create(email=email, password=None)
        try:
            with zip.open("rb") as file:
                counts = account_restore(user=user, file=file)
        except FileNotFoundError:
            raise CommandError(f"No file {zip}.") from None
        except InvalidInput as exc:
            raise CommandError("; ".join(error.message for error in exc.errors)) from None
        self.stdout.write(
            f"Restored into {user.email}: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + "."
        )
