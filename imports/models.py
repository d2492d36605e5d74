from django.conf import settings
from django.db import models


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
        "listing_templates.ListingTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    skip_invalid = models.BooleanField(default=False)
    # {"rows", "new", "updated", "unchanged", "invalid"} from the last validation,
    # then {"created", "updated", "unchanged", "skipped"} once committed.
    counts = models.JSONField(default=dict, blank=True)
    # [{"file", "row", "column", "field", "message"}], the first ERRORS_KEPT of them.
    errors = models.JSONField(default=list, blank=True)
    # The first rows as they will be saved, and the invalid rows after them that can
    # be fixed, for the preview page and the API.
    preview = models.JSONField(default=list, blank=True)
    # Cells corrected in the preview: {"<file position>:<row>": {field: text}}, read over
    # the files' cells whenever the import is checked.
    fixes = models.JSONField(default=dict, blank=True)
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
        # The tables predate this app (imports began inside listings).
        db_table = "listings_import"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="import_owner_created_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"


# An import's audit entries name it by its label; those written before the model moved
# to this app carry the old one.
IMPORT_AUDIT_TYPES = (Import._meta.label_lower, "listings.import")


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
        db_table = "listings_importfile"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.original_name
