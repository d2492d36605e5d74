"""Reading and drawing photos with Pillow (and pillow-heif for HEIC): what an upload
is by its content, whether it can be read within the limits, and the safe original,
display size and thumbnail the worker makes from it.

Everything wrong with a file raises ``PhotoRejected`` with a reason a seller can act on.
"""

import io
import warnings
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

from django.conf import settings
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

THUMBNAIL_PX = 256
DISPLAY_PX = 1600
# Pillow's format name -> (stored extension, content type). HEIC is stored as the
# JPEG the worker draws from it: browsers do not show HEIC.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "HEIF": ("heic", "image/heic"),
}
SAVE_AS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
NOT_A_PHOTO = "This is not a photo we can read: send a JPEG, PNG, WebP or HEIC image."
# EXIF tags that say where a photo was taken.
LOCATION_TAGS = (ExifTags.IFD.GPSInfo,)


class PhotoRejected(Exception):
    """The file is not a photo we take, for a reason retrying will not fix."""


@dataclass(frozen=True)
class PhotoInfo:
    format: str  # Pillow's name: JPEG, PNG, WEBP, HEIF
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][1]


@cache
def _with_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _open(data: BinaryIO) -> Image.Image:
    """The image, its header read; Pillow's own bomb check is the backstop to ours."""
    _with_heif()
    data.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(data, formats=list(FORMATS))
        except Image.DecompressionBombError as exc:
            raise PhotoRejected(_too_many_pixels()) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise PhotoRejected(NOT_A_PHOTO) from exc


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    most = settings.PHOTO_MAX_PIXELS / 1e6
    size = f"{width} × {height} pixels; " if width and height else ""
    return f"The image is too large to read safely: {size}the most is {most:.0f} megapixels."


def photo_inspect(data: BinaryIO) -> PhotoInfo:
    """What the upload is, by its content, after decoding it once (a JPEG at an
    eighth of its size: enough to find a damaged or cut-off file cheaply). Raises
    ``PhotoRejected`` for anything else, a file past the pixel limit (before its
    pixels are decoded) or one that cannot be decoded."""
    try:
        with _open(data) as image:
            info = PhotoInfo(format=image.format or "", width=image.width, height=image.height)
            if info.format not in FORMATS:
                raise PhotoRejected(NOT_A_PHOTO)
            if info.width * info.height > settings.PHOTO_MAX_PIXELS:
                raise PhotoRejected(_too_many_pixels(info.width, info.height))
            if info.format == "JPEG":
                image.draft("RGB", (max(1, info.width // 8), max(1, info.height // 8)))
            image.load()
    except PhotoRejected:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRejected("The image is damaged or incomplete and cannot be read.") from exc
    finally:
        data.seek(0)
    return info


@dataclass(frozen=True)
class DrawnPhoto:
    original: bytes  # the picture upright, without location data, in its own format
    extension: str
    content_type: str
    display: bytes  # JPEG, at most DISPLAY_PX on its long side
    thumbnail: bytes  # JPEG, at most THUMBNAIL_PX on its long side
    width: int
    height: int


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency laid on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, longest: int) -> bytes:
    copy = _flattened(image)
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_draw(data: BinaryIO) -> DrawnPhoto:
    """The safe original, the display size and the thumbnail of an accepted upload:
    EXIF orientation applied (the pixels turned, the tag dropped) and the location
    removed; other metadata but the colour profile is not carried over."""
    info = photo_inspect(data)
    try:
        with _open(data) as image:
            image.load()
            icc_profile = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image) or image
            exif = upright.getexif()
            for tag in LOCATION_TAGS:
                exif.pop(tag, None)
            save_as = SAVE_AS[info.format]
            out = io.BytesIO()
            options = {"exif": exif.tobytes()} if len(exif) else {}
            if icc_profile:
                options["icc_profile"] = icc_profile
            if save_as == "JPEG":
                _flattened(upright).save(out, "JPEG", quality=95, **options)
            elif save_as == "WEBP":
                upright.save(out, "WEBP", quality=95, **options)
            else:
                upright.save(out, "PNG", optimize=False, **options)
            return DrawnPhoto(
                original=out.getvalue(),
                extension=FORMATS[save_as][0],
                content_type=FORMATS[save_as][1],
                display=_jpeg(upright, DISPLAY_PX),
                thumbnail=_jpeg(upright, THUMBNAIL_PX),
                width=upright.width,
                height=upright.height,
            )
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRejected("The image is damaged or incomplete and cannot be read.") from exc


def photo_preview(data: BinaryIO, longest: int = 160) -> bytes:
    """A small JPEG of an accepted upload, upright, for a bulk upload's preview."""
    try:
        with _open(data) as image:
            if image.format == "JPEG":
                image.draft("RGB", (longest * 2, longest * 2))
            image.load()
            return _jpeg(ImageOps.exif_transpose(image) or image, longest)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRejected("The image is damaged or incomplete and cannot be read.") from exc
    finally:
        data.seek(0)
