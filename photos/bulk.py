"""Reading a bulk photo upload: the images in a zip (or sent as files), with the
zip's limits, and which listing each file's name points at.

Names match a listing by its id or SKU: ``KEY.jpg`` is the listing's first photo,
``KEY-2.jpg`` or ``KEY_2.png`` its second. A name that could be read both ways
(``AB-2.jpg``: SKU ``AB-2``, or photo 2 of ``AB``) and that points at two listings
is ambiguous; the seller picks.
"""

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from listings.models import Listing
from marketplace.errors import FieldError, InvalidInput

_NUMBERED = re.compile(r"^(?P<key>.+?)[-_](?P<number>\d{1,3})$")
_CHUNK = 64 * 1024
MAX_BIGINT = 2**63 - 1
# What zips made on a Mac or by Windows carry beside the photos.
_NOISE = ("__MACOSX/", "Thumbs.db", ".DS_Store")


@dataclass(frozen=True)
class BulkItem:
    """One file of the upload: its name (the zip member's, shown only) and bytes, or
    the reason it cannot be used."""

    name: str
    data: bytes = b""
    reason: str = ""


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.0f} MB"


def _is_zip(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return head == b"PK\x03\x04"


def _safe_name(name: str) -> str | None:
    """The file name part of a zip member, or None for a path that climbs out of the
    archive or is absolute (refused, though it is never used as a path here)."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
        return None
    return parts[-1]


def _members(upload: UploadedFile, budget: list[int]) -> Iterator[BulkItem]:
    """The images of one zip, each inflated in chunks against the byte limits."""
    name = upload.name or "upload.zip"
    most_bytes = settings.PHOTO_MAX_BYTES
    max_ratio = settings.PHOTO_BULK_MAX_ZIP_RATIO
    try:
        with zipfile.ZipFile(upload) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith(_NOISE)]
            declared = sum(member.file_size for member in members)
            if declared > budget[0]:
                raise InvalidInput.one(
                    "files",
                    f"{name} unpacks to {_megabytes(declared)}; the most is "
                    f"{_megabytes(settings.PHOTO_BULK_MAX_UNZIPPED_BYTES)}.",
                )
            for member in members:
                shown = _safe_name(member.filename)
                if shown is None:
                    yield BulkItem(member.filename[:255], reason="Its path leaves the archive; not used.")
                    continue
                if shown.startswith("._") or shown in _NOISE:
                    continue
                if member.flag_bits & 0x1:
                    yield BulkItem(shown, reason="It is encrypted.")
                    continue
                if member.file_size > most_bytes:
                    yield BulkItem(shown, reason=f"It is over {_megabytes(most_bytes)}.")
                    continue
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > _CHUNK and ratio > max_ratio:
                    raise InvalidInput.one(
                        "files",
                        f"{name}: {shown} is compressed {ratio:.0f} to 1, more than {max_ratio} to 1; "
                        "refused as a possible zip bomb.",
                    )
                yield _inflate(archive, member, shown, budget, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise InvalidInput.one("files", f"{name} is a damaged zip archive ({exc}).") from exc


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, shown: str, budget: list[int], name: str):
    """The member's bytes, counted while inflating: an archive that lies about its
    sizes is stopped too."""
    out = io.BytesIO()
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            out.write(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise InvalidInput.one(
                    "files",
                    f"{name} unpacks to more than {_megabytes(settings.PHOTO_BULK_MAX_UNZIPPED_BYTES)}; "
                    "refused as a possible zip bomb.",
                )
            if out.tell() > settings.PHOTO_MAX_BYTES:
                return BulkItem(shown, reason=f"It is over {_megabytes(settings.PHOTO_MAX_BYTES)}.")
    return BulkItem(shown, out.getvalue())


def bulk_items(uploads: Sequence[UploadedFile]) -> list[BulkItem]:
    """Every file of the upload (a zip's images and files sent as they are), within
    the bulk limits; ``InvalidInput`` naming the limit for an upload past them."""
    if not uploads:
        raise InvalidInput.one("files", "Choose a zip of photos or some photos.")
    sent = sum(upload.size or 0 for upload in uploads)
    if sent > settings.PHOTO_BULK_MAX_BYTES:
        raise InvalidInput.one(
            "files",
            f"The upload is {_megabytes(sent)}; the most is {_megabytes(settings.PHOTO_BULK_MAX_BYTES)}.",
        )
    budget = [settings.PHOTO_BULK_MAX_UNZIPPED_BYTES]
    items: list[BulkItem] = []
    for upload in uploads:
        if _is_zip(upload):
            items += _members(upload, budget)
        else:
            items.append(BulkItem(_safe_name(upload.name or "photo") or "photo", upload.read()))
        if len(items) > settings.PHOTO_BULK_MAX_FILES:
            raise InvalidInput(
                [
                    FieldError(
                        "files", f"More than {settings.PHOTO_BULK_MAX_FILES} files; send fewer at a time."
                    )
                ]
            )
    return items


# --- matching names to listings ----------------------------------------------------


@dataclass(frozen=True)
class NameMatch:
    # {listing id: the photo's number there}; one: matched, more: ambiguous, none: unmatched
    numbers: dict[int, int]

    @property
    def listing_ids(self) -> list[int]:
        return list(self.numbers)


def _readings(name: str) -> list[tuple[str, int]]:
    """(key, photo number) readings of a file name: ``AB-2.jpg`` is ("AB-2", 1) and ("AB", 2)."""
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name.strip()
    readings = [(stem, 1)]
    numbered = _NUMBERED.match(stem)
    if numbered:
        readings.append((numbered["key"], int(numbered["number"])))
    return readings


def _listings_by_key(owner: User, keys: set[str]) -> dict[str, set[int]]:
    """{key: ids of the owner's listings it names} (by id)."""
    found: dict[str, set[int]] = {}
    ids = {
        int(key)
        for key in keys
        if key.isascii() and key.isdigit() and len(key) <= 19 and int(key) <= MAX_BIGINT
    }
    for pk in Listing.objects.filter(owner=owner, pk__in=ids).values_list("pk", flat=True):
        found.setdefault(str(pk), set()).add(pk)
    return found


def names_matched(owner: User, names: Sequence[str]) -> list[NameMatch]:
    """Which of the owner's listings each file name points at."""
    readings = [_readings(name) for name in names]
    by_key = _listings_by_key(owner, {key for options in readings for key, _ in options})
    matches = []
    for options in readings:
        numbers: dict[int, int] = {}
        for key, number in options:
            for pk in sorted(by_key.get(key, ())):
                numbers.setdefault(pk, number)
        matches.append(NameMatch(numbers))
    return matches
