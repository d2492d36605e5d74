"""The input of an upload, one serializer for the upload page and ``/api/ocr/``, so
both take and refuse the same files and engines with the same words."""

from rest_framework import serializers

from ocr import engines


class ScanUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF catalog or a photo (PNG, JPEG, TIFF, WebP).")
    engine = serializers.ChoiceField(
        choices=engines.CHOICES,
        default=engines.TESSERACT,
        help_text="Which OCR engine reads it: Tesseract, PP-OCR, or both merged by confidence.",
    )
