import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ocr.tests import corpus


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def items():
    return corpus.catalog_items(60)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def small_png() -> bytes:
    """A real (blank) PNG: uploads are taken only if their content is a PDF or an image."""
    return corpus.png_bytes(Image.new("L", (40, 30), 255))
