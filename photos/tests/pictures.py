"""Photos made on the spot for the tests (nothing binary is committed)."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5)}


def picture(width: int = 64, height: int = 48, *, color=(200, 30, 30), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), color)
    # A dark left column, so orientation can be checked from the pixels.
    for y in range(height):
        image.putpixel((0, y), (0, 0, 0) if mode == "RGB" else (0, 0, 0, 255))
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, *, orientation: int | None = None, gps: bool = False) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS
    return encoded(picture(width, height), "JPEG", exif=exif.tobytes(), quality=90)


def png(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height, mode="RGBA", color=(10, 200, 10, 128)), "PNG")


def webp(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height), "WEBP")


def heic(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height), "HEIF")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
