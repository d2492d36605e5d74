"""What the worker draws: location gone from every place a format keeps it."""

import io

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from photos import images
from photos.tests import pictures

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,22.1N"/>'
    "</rdf:RDF></x:xmpmeta>"
)


def _with_xmp(fmt: str) -> bytes:
    out = io.BytesIO()
    picture = pictures.picture()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP)
        picture.save(out, "PNG", pnginfo=info)
    else:
        picture.save(out, fmt, xmp=XMP.encode())
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_xmp_location_is_not_carried_over(fmt):
    data = _with_xmp(fmt)
    assert b"GPSLatitude" in data
    drawn = images.photo_draw(io.BytesIO(data))
    assert b"GPSLatitude" not in drawn.original
    assert b"GPSLatitude" not in drawn.display and b"GPSLatitude" not in drawn.thumbnail


def test_exif_gps_is_dropped_and_orientation_applied():
    drawn = images.photo_draw(io.BytesIO(pictures.jpeg(64, 48, orientation=8, gps=True)))
    original = Image.open(io.BytesIO(drawn.original))
    assert original.size == (48, 64) and (drawn.width, drawn.height) == (48, 64)
    assert ExifTags.IFD.GPSInfo not in original.getexif()
    assert not Image.open(io.BytesIO(drawn.display)).getexif()


def test_sizes_are_bounded():
    drawn = images.photo_draw(io.BytesIO(pictures.jpeg(3000, 1000)))
    assert Image.open(io.BytesIO(drawn.display)).size == (images.DISPLAY_PX, 533)
    assert Image.open(io.BytesIO(drawn.thumbnail)).size == (images.THUMBNAIL_PX, 85)


def test_heic_becomes_jpeg():
    drawn = images.photo_draw(io.BytesIO(pictures.heic()))
    assert (drawn.extension, drawn.content_type) == ("jpg", "image/jpeg")
    assert Image.open(io.BytesIO(drawn.original)).format == "JPEG"
