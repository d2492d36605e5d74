from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from listings.fields import (
    BRAND_MAX_LENGTH,
    CATEGORY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    EBAY_CATEGORY_ID_MAX_LENGTH,
    LISTING_FIELDS,
    NOTES_MAX_LENGTH,
    PRODUCT_LINK_MAX_LENGTH,
    SKU_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Condition,
    Source,
    Status,
)
from listings.validation import clean_listing
from marketplace.errors import InvalidInput

# Set only while ``listings.services.changes`` writes: every other save, update or
# delete of a listing raises, so no door can write around the engine's versions,
# warnings, audit entries and undo steps.
_engine_writing: ContextVar[bool] = ContextVar("listing_engine_writing", default=False)


SKU_UNIQUE_CONSTRAINT = "listing_sku_unique_per_owner"


class ListingWriteOutsideEngine(RuntimeError):
    """A listing was written other than through ``listings.services.changes``."""


@contextmanager
def engine_writes() -> Iterator[None]:
    """Allow listing writes in this block: for the engine (and test factories) only."""
    token = _engine_writing.set(True)
    try:
        yield
    finally:
        _engine_writing.reset(token)


def _refuse_outside_engine() -> None:
    if not _engine_writing.get():
        raise ListingWriteOutsideEngine("Write listings through listings.services.changes.")


class ListingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _refuse_outside_engine()
        return super().update(**kwargs)

    def delete(self):
        _refuse_outside_engine()
        return super().delete()

    def bulk_create(self, *args, **kwargs):
        _refuse_outside_engine()
        return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        _refuse_outside_engine()
        return super().bulk_update(*args, **kwargs)


class Listing(models.Model):
    # No index of its own: every index below leads with the owner (docs/performance.md,
    # "Indexes and reads").
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    # On PostgreSQL the column sorts naturally ("#2" before "#11"): an ICU collation
    # set by migration 0007_title_natural_sort. A migration that alters this field
    # must set it again (ALTER ... TYPE resets a column's collation).
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    condition = models.CharField(max_length=20, choices=Condition.choices, default=Condition.NEW)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    category = models.CharField(max_length=CATEGORY_MAX_LENGTH, blank=True)
    offer_shipping = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    # Blank when the seller has none; unique per owner otherwise, whatever the case
    # ("ab-1" is "AB-1"): the constraint below, checked first by the write path.
    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    # Set by the write path when the status becomes sold, cleared when it leaves sold.
    sold_at = models.DateTimeField(null=True, blank=True)
    sold_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # The seller's private notes: never in a marketplace's file.
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    # What other marketplaces' files need (docs/formats.md). Blank by default, in the
    # database too, so bulk loads (COPY) that name only the older columns still work.
    brand = models.CharField(max_length=BRAND_MAX_LENGTH, blank=True, default="", db_default="")
    ebay_category_id = models.CharField(
        "eBay category id", max_length=EBAY_CATEGORY_ID_MAX_LENGTH, blank=True, default="", db_default=""
    )
    product_link = models.CharField(max_length=PRODUCT_LINK_MAX_LENGTH, blank=True, default="", db_default="")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # Indexed only where set (listing_ocr_scan_idx): deleting a scan finds its listings
    # without every other listing paying for an index entry.
    ocr_scan = models.ForeignKey(
        "ocr.Scan", null=True, blank=True, on_delete=models.SET_NULL, related_name="listings", db_index=False
    )
    # Columns from imported files that we do not model, kept so nothing is lost.
    extra = models.JSONField(default=dict, blank=True)
    # Computed by listings.services on every write (listing_warnings), stored so
    # "only listings with warnings" is a query, not a scan.
    warnings = models.JSONField(default=list, blank=True)
    # Derived by the database so the "has warnings" filter can use an index.
    has_warnings = models.GeneratedField(
        expression=~Q(warnings=[]), output_field=models.BooleanField(), db_persist=True
    )
    # Bumped on every change; writers send the version they read (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_not_negative"),
            models.CheckConstraint(
                condition=Q(condition__in=Condition.values), name="listing_condition_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="listing_title_not_empty"),
            models.CheckConstraint(condition=Q(version__gte=1), name="listing_version_positive"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="listing_status_valid"),
            models.CheckConstraint(
                condition=Q(sold_price__isnull=True) | Q(sold_price__gte=0),
                name="listing_sold_price_not_negative",
            ),
            # Led by the SKU so that search (``q=``) finds a SKU without the owner.
            models.UniqueConstraint(Upper("sku"), "owner", condition=~Q(sku=""), name=SKU_UNIQUE_CONSTRAINT),
        ]
        # "My listings, sorted by X": each sortable column leads with the owner.
        indexes = [
            models.Index(fields=["owner", "-updated_at", "-id"], name="listing_owner_updated_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="listing_owner_created_idx"),
            models.Index(fields=["owner", "title", "id"], name="listing_owner_title_idx"),
            models.Index(fields=["owner", "price", "id"], name="listing_owner_price_idx"),
            models.Index(fields=["owner", "condition", "id"], name="listing_owner_condition_idx"),
            models.Index(fields=["owner", "category", "id"], name="listing_owner_category_idx"),
            models.Index(fields=["owner", "offer_shipping", "id"], name="listing_owner_shipping_idx"),
            models.Index(fields=["owner", "source", "id"], name="listing_owner_source_idx"),
            models.Index(fields=["owner", "has_warnings", "id"], name="listing_owner_warnings_idx"),
            models.Index(
                fields=["ocr_scan"], condition=Q(ocr_scan__isnull=False), name="listing_ocr_scan_idx"
            ),
            # "Sold", "listed", "drafts": a status names a small part of 100,000 listings.
            models.Index(fields=["owner", "status", "id"], name="listing_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        _refuse_outside_engine()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_outside_engine()
        return super().delete(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        # The listing fields are checked by ``clean`` with the one set of rules (and
        # their words); Django's own checks of them would add other words.
        super().clean_fields(exclude={*(exclude or ()), *LISTING_FIELDS})

    def clean(self) -> None:
        # Forms and the admin validate through the same rules as every other door.
        try:
            cleaned = clean_listing({field: getattr(self, field) for field in LISTING_FIELDS})
        except InvalidInput as exc:
            raise exc.as_django_error() from exc
        for field, value in cleaned.items():
            setattr(self, field, value)

    def field_values(self) -> dict:
        return {field: getattr(self, field) for field in LISTING_FIELDS}


class UndoStep(models.Model):
    """One change a user can undo: every audit entry of ``batch``. Steps after the
    newest not-undone one form the redo stack; a new change clears it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="undo_steps")
    batch = models.UUIDField()
    action = models.CharField(max_length=64)
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "batch"], name="undo_step_batch_unique")]
        indexes = [models.Index(fields=["user", "undone", "id"], name="undo_step_user_idx")]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id}{' (undone)' if self.undone else ''}"


class GridLayout(models.Model):
    """How one seller's grid shows its columns, whichever browser they use:
    ``{"order": [field, …], "hidden": [field, …], "widths": {field: px}}``
    (checked by ``listings.services.layout.clean_columns``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_layout"
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Grid layout of {self.user_id}"


class SavedView(models.Model):
    """A named way to look at the grid: its filters and sort (the grid's query
    string) and its columns, one click from the toolbar."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    columns = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return self.name
