import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.selectors import email_taken
from accounts.services import user_create
from listings.demo import demo_rows
from listings.services.changes import listings_create_many
from listings.validation import clean_listing


class Command(BaseCommand):
    help = "Create a demo user (prints the password) with N realistic listings."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="demo@example.com")
        parser.add_argument("--rows", type=int, default=200)
        parser.add_argument("--password", help="Use this password instead of a random one.")
        parser.add_argument(
            "--admin", action="store_true", help="Make the demo user staff and superuser (local use)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has users."
        )

    def handle(self, *args, email, rows, password, admin, if_empty, **options):
        if rows < 0:
            raise CommandError("--rows must be 0 or more.")
        if if_empty and User.objects.exists():
            self.stdout.write("Users exist already; no demo data created.")
            return
        if email_taken(email):
            raise CommandError(f"A user {email} exists already.")
        password = password or secrets.token_urlsafe(12)
        with transaction.atomic():
            user = user_create(
                email=email,
                password=password,
                first_name="Demo",
                last_name="Seller",
                is_staff=admin,
                is_superuser=admin,
            )
            listings_create_many(owner=user, rows=[clean_listing(row) for row in demo_rows(rows)])
        self.stdout.write(self.style.SUCCESS(f"Demo user: {email}  password: {password}  listings: {rows}"))
