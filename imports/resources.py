"""django-import-export's view of a listing, used by the admin's import and export.

Rows are cleaned by ``listings.validation.clean_listing`` (the same rules as every
other door) and written through ``listings.services``: each created or changed
listing gets its audit row from the service, and all rows of one import share one
audit ``batch``. We route through the services rather than writing one audit batch
ourselves because the services are what keep ``warnings`` and ``version`` right;
a second write path would have to repeat that. The admin previews an import as a
dry run inside a transaction that is rolled back, so a file with any bad row
imports nothing: the preview lists each bad row with its field and reason.
"""

from decimal import InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from import_export import fields, resources

from accounts.models import User
from accounts.selectors import user_by_login_name
from audit.services import new_batch
from listings.fields import LISTING_FIELDS, Source
from listings.models import Listing
from listings.services.changes import listing_create, listing_update
from listings.validation import clean_listing
from marketplace.errors import InvalidInput


class ImportTooLarge(Exception):
    """The file has more rows than IMPORT_MAX_ROWS."""


class ListingResource(resources.ModelResource):
    owner = fields.Field(attribute="owner__email", column_name="owner")

    class Meta:
        model = Listing
        fields = ("id", "owner", *LISTING_FIELDS, "source", "created_at", "updated_at")
        export_order = fields
        # Re-importing an exported file changes nothing and says so.
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.audit_batch = None
        self._owners_by_email: dict[str, User | None] = {}

    def before_import(self, dataset, **kwargs):
        limit = settings.IMPORT_MAX_ROWS
        if len(dataset) > limit:
            raise ImportTooLarge(
                f"The file has {len(dataset):,} rows; the most one import takes is {limit:,}."
            )
        # "Title " and "PRICE" are the same columns as "title" and "price".
        dataset.headers = [str(header or "").strip().lower() for header in dataset.headers]
        self.audit_batch = new_batch()

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, InvalidOperation) as exc:  # the id widget parses through Decimal
            raise ValidationError({"id": f"“{row.get('id')}” is not a listing id."}) from exc

    def import_instance(self, instance, row, **kwargs):
        """Set the row's cleaned values on ``instance``; every problem in the row
        is raised at once as a ValidationError, which the preview shows by field."""
        is_new = instance.pk is None
        if is_new and row.get("id") not in (None, ""):
            # Meant as an update: the row's other columns need not make a whole listing.
            raise ValidationError({"id": f"There is no listing with id {row['id']}."})
        errors: dict[str, list[str]] = {}

        named_owner = self._named_owner(row, errors=errors)
        if not is_new and named_owner is not None and named_owner.pk != instance.owner_id:
            errors["owner"] = ["An import cannot move a listing to another owner."]

        try:
            cleaned = clean_listing(
                {name: row[name] for name in LISTING_FIELDS if name in row}, partial=not is_new
            )
        except InvalidInput as exc:
            for error in exc.errors:
                errors.setdefault(error.field, []).append(error.message)
        if errors:
            raise ValidationError(errors)

        for name, value in cleaned.items():
            setattr(instance, name, value)
        if is_new:
            # Without an owner column, listings belong to the staff user importing them.
            instance.owner = named_owner or kwargs["user"]

    def _named_owner(self, row, *, errors: dict) -> User | None:
        """The user named in the row's ``owner`` column, if any."""
        email = str(row.get("owner") or "").strip().lower()
        if not email:
            return None
        if email not in self._owners_by_email:
            self._owners_by_email[email] = user_by_login_name(email)
        owner = self._owners_by_email[email]
        if owner is None:
            errors["owner"] = [f"There is no user with the e-mail address {email}."]
        return owner

    def save_instance(self, instance, is_create, row, **kwargs):
        actor = kwargs["user"]
        if is_create:
            saved = listing_create(
                owner=instance.owner,
                data=instance.field_values(),
                source=Source.IMPORT,
                actor=actor,
                batch=self.audit_batch,
            )
        else:
            saved = listing_update(
                listing=instance,
                data={name: getattr(instance, name) for name in LISTING_FIELDS if name in row},
                actor=actor,
                batch=self.audit_batch,
            )
        # The preview and the admin's log show this instance: give it what was stored.
        instance.pk = saved.pk
        instance.refresh_from_db()
