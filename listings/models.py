from django.conf import settings
from django.db import models
from django.db.models import Q


class Condition(models.TextChoices):
    NEW = "New", "New"
    USED_LIKE_NEW = "Used - Like New", "Used - Like New"
    USED_GOOD = "Used - Good", "Used - Good"
    USED_FAIR = "Used - Fair", "Used - Fair"


class Source(models.TextChoices):
    MANUAL = "manual", "Manual"
    IMPORT = "import", "Import"
    OCR = "ocr", "OCR"
    API = "api", "API"


TITLE_MAX_LENGTH = 150
DESCRIPTION_MAX_LENGTH = 5000
CATEGORY_MAX_LENGTH = 255
# The fields a seller edits; everything else is bookkeeping.
LISTING_FIELDS = ("title", "price", "condition", "description", "category", "offer_shipping")


class Listing(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings")
    # On PostgreSQL the column sorts naturally ("#2" before "#11"): an ICU collation
    # set by migration 0006_title_natural_sort. A migration that alters this field
    # must set it again (ALTER ... TYPE resets a column's collation).
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    condition = models.CharField(max_length=20, choices=Condition.choices, default=Condition.NEW)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    category = models.CharField(max_length=CATEGORY_MAX_LENGTH, blank=True)
    offer_shipping = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    ocr_scan = models.ForeignKey(
        "ocr.Scan", null=True, blank=True, on_delete=models.SET_NULL, related_name="listings"
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

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_not_negative"),
            models.CheckConstraint(
                condition=Q(condition__in=Condition.values), name="listing_condition_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="listing_title_not_empty"),
            models.CheckConstraint(condition=Q(version__gte=1), name="listing_version_positive"),
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
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Forms and the admin validate through the same rules as every other door.
        from listings.validation import ListingInvalid, clean_listing

        try:
            cleaned = clean_listing({field: getattr(self, field) for field in LISTING_FIELDS})
        except ListingInvalid as exc:
            raise exc.as_django_error() from exc
        for field, value in cleaned.items():
            setattr(self, field, value)

    def field_values(self) -> dict:
        return {field: getattr(self, field) for field in LISTING_FIELDS}


class ListingTemplate(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_templates"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    # Listing field -> default value, validated by listings.validation.clean_template_defaults.
    defaults = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)
    use_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="listing_template_name_unique_per_owner",
                violation_error_message="You already have a template with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from listings.validation import ListingInvalid, clean_template_defaults

        try:
            self.defaults = clean_template_defaults(self.defaults)
        except ListingInvalid as exc:
            raise exc.as_django_error(prefix="defaults") from exc


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


class Import(models.Model):
    """One upload of one or several spreadsheet files, previewed and then committed."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Ready to commit"
        QUEUED = "queued", "Queued"
        COMMITTING = "committing", "Committing"
        COMMITTED = "committed", "Committed"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        CREATE = "create", "Create new listings"
        UPDATE_MATCHING = "update_matching", "Update listings matching the id column"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEW)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.CREATE)
    # Fills the fields a row leaves empty; only for rows that create listings.
    template = models.ForeignKey(
        ListingTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    skip_invalid = models.BooleanField(default=False)
    # {"rows", "new", "updated", "unchanged", "invalid"} from the last validation,
    # then {"created", "updated", "unchanged", "skipped"} once committed.
    counts = models.JSONField(default=dict, blank=True)
    # [{"file", "row", "column", "field", "message"}], the first ERRORS_KEPT of them.
    errors = models.JSONField(default=list, blank=True)
    # The first rows as they will be saved, for the preview page and the API.
    preview = models.JSONField(default=list, blank=True)
    # Rows written when committed (while committing, the count so far is in the cache).
    progress = models.PositiveIntegerField(default=0)
    # The new listings exactly as previewed, one JSON array a line, so that a commit
    # writes them without reading and validating the files a second time.
    staged = models.FileField(upload_to="imports/staged/%Y/%m/", blank=True)
    message = models.TextField(blank=True)
    # The audit batch of the commit.
    batch = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    ERRORS_KEPT = 1000

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="import_owner_created_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"


class ImportFile(models.Model):
    """One uploaded file of an import, with the sheet, header row and column mapping used."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)
    sheet = models.CharField(max_length=255)
    sheet_names = models.JSONField(default=list, blank=True)
    # 0-based index of the header row in the sheet; data starts on the next row.
    header_row = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)
    # One target per column: a listing field, "id", "extra" or "ignore".
    mapping = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.original_name


class GridLayout(models.Model):
    """How one seller's grid shows its columns, whichever browser they use:
    ``{"order": [field, …], "hidden": [field, …], "widths": {field: px}}``
    (checked by ``listings.grid_layout.clean_columns``)."""

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
