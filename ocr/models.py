from django.conf import settings
from django.db import models


class Scan(models.Model):
    """An uploaded PDF catalog or photo, read by Tesseract into draft listings."""

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="scan_owner_created_idx")]

    def __str__(self) -> str:
        return self.original_name
