"""Reading an uploaded file: which kind it is, how many pages, each page as an
image (one at a time: never a whole PDF in memory). The engines that read a
page's words are ``ocr.engines``.

Anything wrong with the file itself raises ``ScanRejected`` with a reason the
seller can act on; the worker fails the scan with it instead of retrying.
"""

import io
import warnings
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from pdf2image import convert_from_path, pdfinfo_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError
from PIL import Image, UnidentifiedImageError

DPI = 300
THUMBNAIL_WIDTH = 1000
IMAGE_FORMATS = {"PNG", "JPEG", "TIFF", "WEBP"}
PDF = "pdf"
IMAGE = "image"


_NOT_A_SCAN = "This is neither a PDF nor an image Tesseract can read (PNG, JPEG, TIFF, WebP)."


class ScanRejected(Exception):
    """The file cannot be read, for a reason retrying will not fix."""


class PageTimeout(Exception):
    """One page took longer than OCR_PAGE_TIMEOUT_SECONDS."""


# The extension a stored scan gets, from what its content is (never from its name).
_EXTENSIONS = {PDF: "pdf", "PNG": "png", "JPEG": "jpg", "TIFF": "tif", "WEBP": "webp"}
_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "tif": "image/tiff",
    "webp": "image/webp",
}


def upload_extension(upload: BinaryIO) -> str:
    """``pdf``, ``png``, ``jpg``, ``tif`` or ``webp``: what the upload is by its first
    bytes (and, for images, Pillow's reading of its header); ``ScanRejected`` for
    anything else, HTML and SVG included, whatever the file is called."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" in head:
        return _EXTENSIONS[PDF]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
    except Image.DecompressionBombError as exc:
        raise ScanRejected(f"The image is too large to read safely: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ScanRejected(_NOT_A_SCAN) from exc
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ScanRejected(f"{image_format} images are not supported; use PNG, JPEG, TIFF or WebP.")
    return _EXTENSIONS[image_format]


def content_type_of(stored_name: str) -> str:
    """The content type of a stored scan, from the extension its content gave it."""
    return _CONTENT_TYPES.get(stored_name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def file_kind(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not head:
        raise ScanRejected("The file is empty.")
    return PDF if b"%PDF-" in head else IMAGE


def _check_pixels(width: float, height: float, what: str) -> None:
    limit = Image.MAX_IMAGE_PIXELS
    if limit and width * height > limit:
        raise ScanRejected(
            f"{what} is {int(width)} x {int(height)} pixels, more than the {limit:,} pixels allowed "
            "(a decompression bomb?)."
        )


def _open_image(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that Pillow only warns; we refuse below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ScanRejected(f"The image is too large to read safely: {exc}") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ScanRejected(_NOT_A_SCAN) from exc
    if image.format not in IMAGE_FORMATS:
        raise ScanRejected(f"{image.format} images are not supported; use PNG, JPEG, TIFF or WebP.")
    _check_pixels(*image.size, "The image")
    return image


def _pdf_info(path: Path, **pages) -> dict:
    try:
        return pdfinfo_from_path(str(path), timeout=settings.OCR_PAGE_TIMEOUT_SECONDS, **pages)
    except PDFPageCountError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ScanRejected("The PDF is protected by a password; upload an unlocked copy.") from exc
        if "empty" in message.lower():
            raise ScanRejected("The PDF is empty.") from exc
        raise ScanRejected("The PDF is damaged and cannot be read.") from exc
    except PDFPopplerTimeoutError as exc:
        raise ScanRejected("The PDF took too long to open.") from exc


def page_count(path: Path) -> int:
    """How many pages the file has, after checking it is readable and within limits."""
    if file_kind(path) == PDF:
        count = int(_pdf_info(path).get("Pages", 0))
    else:
        count = getattr(_open_image(path), "n_frames", 1)
    if count < 1:
        raise ScanRejected("The file has no pages.")
    limit = settings.OCR_MAX_PAGES
    if count > limit:
        raise ScanRejected(f"The file has {count} pages; the most is {limit}.")
    return count


def _pdf_page_size_points(path: Path, number: int) -> tuple[float, float]:
    info = _pdf_info(path, first_page=number, last_page=number)
    size = next((value for key, value in info.items() if key.endswith("size") and "Page" in key), "")
    try:
        width, _, height = str(size).split()[:3]
        return float(width), float(height)
    except ValueError:
        return 0.0, 0.0


def render_page(path: Path, number: int, workdir: Path) -> Path:
    """Page ``number`` (1-based) as an image file in ``workdir``: a PDF page at
    300 dpi, or an image's frame. Greyscale PNM: Tesseract reads grey anyway, and
    the file is written and read without compression or re-encoding."""
    if file_kind(path) == IMAGE:
        image = _open_image(path)
        image.seek(number - 1)
        target = Path(workdir) / f"page-{number}.pgm"
        image.convert("L").save(target, format="PPM")
        return target
    width, height = _pdf_page_size_points(path, number)
    _check_pixels(width * DPI / 72, height * DPI / 72, f"Page {number} at {DPI} dpi")
    try:
        pages = convert_from_path(
            str(path),
            dpi=DPI,
            first_page=number,
            last_page=number,
            output_folder=str(workdir),
            output_file=f"page-{number}",
            paths_only=True,
            grayscale=True,
            timeout=settings.OCR_PAGE_TIMEOUT_SECONDS,
        )
    except PDFPopplerTimeoutError as exc:
        raise PageTimeout(
            f"Page {number} took longer than {settings.OCR_PAGE_TIMEOUT_SECONDS} s to render."
        ) from exc
    if not pages:
        raise ScanRejected(f"Page {number} could not be rendered.")
    return Path(pages[0])


def thumbnail_png(image: Image.Image) -> bytes:
    thumbnail = image.convert("L")
    thumbnail.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2))
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="PNG")
    return buffer.getvalue()
