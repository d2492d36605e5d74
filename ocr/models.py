from django.conf import settings
from django.db import models

from ocr import engines
from ocr.parsing import LOW_CONFIDENCE


class Scan(models.Model):
    """An uploaded PDF catalog or photo, read by an OCR engine into draft listings."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CORRECTED = "corrected", "Corrected"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scans")
    file = models.FileField(upload_to="scans/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Which engine reads it (ocr.engines): Tesseract, PP-OCR, or both merged.
    engine = models.CharField(max_length=10, choices=engines.CHOICES, default=engines.TESSERACT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    file_size = models.PositiveBigIntegerField(default=0)
    # Why the scan failed, or why its last try did, in words for the seller.
    error = models.TextField(blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    items_found = models.PositiveIntegerField(null=True, blank=True)
    mean_confidence = models.FloatField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    # How many times a worker has started on this scan; see ocr.services.MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Touched by the worker after every page; a stale one means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="scan_owner_created_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="scan_status_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PROCESSING)

    @property
    def progress_percent(self) -> int:
        if not self.page_count:
            return 0
        return round(100 * self.pages_done / self.page_count)


class ScanPage(models.Model):
    """One page as the engine read it: text, words with boxes, a thumbnail."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    # [{"text", "conf", "left", "top", "width", "height", "line": [block, par, line]}]
    # in pixels of the image the engine read (``width`` x ``height``), which the
    # thumbnail shows (turned and scaled as read).
    words = models.JSONField(default=list, blank=True)
    mean_confidence = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    thumbnail = models.ImageField(upload_to="scans/pages/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scan", "number"]
        constraints = [models.UniqueConstraint(fields=["scan", "number"], name="scan_page_number_unique")]

    def __str__(self) -> str:
        return f"{self.scan} p. {self.number}"


# The listing fields a candidate proposes (and the seller corrects on the review
# page): converting a candidate carries each of them into its listing.
CANDIDATE_FIELDS = ("title", "price", "sku", "description")


class Candidate(models.Model):
    """A listing the parser proposes, which the seller corrects and converts."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="candidates")
    page = models.ForeignKey(ScanPage, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=255, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.TextField(blank=True)
    sku = models.CharField(max_length=64, blank=True)
    confidence = models.FloatField(default=0)
    # Mean confidence of each field's words ({"title": 91.0, "price": 48.5, ...}):
    # the review page marks the doubtful cells.
    field_confidence = models.JSONField(default=dict, blank=True)
    # Which parser rule found it: line, leaders, card, table.
    layout = models.CharField(max_length=10, blank=True)
    # The words it came from, boxed on the page thumbnail: [[left, top, width, height], ...]
    boxes = models.JSONField(default=list, blank=True)
    selected = models.BooleanField(default=True)
    edited = models.BooleanField(default=False)
    listing = models.ForeignKey(
        "listings.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="ocr_candidates"
    )

    class Meta:
        ordering = ["page__number", "position", "id"]
        indexes = [models.Index(fields=["scan", "position"], name="candidate_scan_position_idx")]

    def __str__(self) -> str:
        return self.title or f"Candidate {self.pk}"

    @property
    def unsure_fields(self) -> list[str]:
        """The fields whose words the engine read with little confidence."""
        return [name for name, value in self.field_confidence.items() if value < LOW_CONFIDENCE]
