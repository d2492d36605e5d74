"""A backup of one account: its listings, templates and history as JSON files in a
zip, and ``account_restore`` that writes one back into an empty account (on this
installation or another). Only the account's own data, read through cursors and
written to a temporary file, so memory stays flat however many listings there are.

Other apps add their own files (photos, say) without this module importing them:
``settings.ACCOUNT_BACKUP_PARTS`` names objects with a ``name`` and the two methods
of ``BackupPart``; each writes its files into the zip and reads them back, given the
old-to-new ids of what was restored before it.
"""

import json
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from audit.models import AuditEntry
from audit.services import BACKUP_COLUMNS as AUDIT_BACKUP_COLUMNS
from audit.services import audit_record, audit_restore, new_batch
from listing_templates.models import ListingTemplate
from listing_templates.serializers import TEMPLATE_COLUMNS
from listing_templates.services import templates_restore
from listings.api.serializers import LISTING_COLUMNS as API_LISTING_COLUMNS
from listings.fields import STORED_FIELDS
from listings.models import Listing
from listings.services.changes import NewListing, changes_apply
from listings.validation import clean_listing_and_sale_date
from marketplace.errors import FieldError, InvalidInput

BACKUP_CONTENT_TYPE = "application/zip"
# 2: history entries keep their request facts (ip, user agent, path, request id).
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
# The native API's columns, and what a listing keeps beyond them.
LISTING_COLUMNS = (*API_LISTING_COLUMNS, "ocr_scan_id", "extra")
_CHUNK = 2000


@dataclass(frozen=True)
class Backup:
    filename: str
    file: IO[bytes]  # at its start
    counts: dict[str, int]


class _BackupEncoder(DjangoJSONEncoder):
    """Django's, but times keep their microseconds (it cuts them to milliseconds), so
    a restored history is the one backed up to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _write_array(archive: zipfile.ZipFile, name: str, rows: Iterable[dict[str, Any]]) -> int:
    encoder = _BackupEncoder(ensure_ascii=False)
    count = 0
    with archive.open(name, "w") as file:
        file.write(b"[")
        for row in rows:
            file.write((",\n" if count else "\n").encode() + encoder.encode(row).encode())
            count += 1
        file.write(b"\n]\n")
    return count


@transaction.atomic
def account_backup_create(*, user: User) -> Backup:
    """Write the backup (audited) and hand back the open file."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        counts = {
            "listings": _write_array(
                archive,
                "listings.json",
                Listing.objects.filter(owner=user).order_by("id").values(*LISTING_COLUMNS).iterator(_CHUNK),
            ),
            "templates": _write_array(
                archive,
                "templates.json",
                ListingTemplate.objects.filter(owner=user)
                .order_by("id")
                .values(*TEMPLATE_COLUMNS)
                .iterator(_CHUNK),
            ),
            "history": _write_array(
                archive,
                "history.json",
                AuditEntry.objects.filter(actor=user)
                .order_by("id")
                .values(*AUDIT_BACKUP_COLUMNS)
                .iterator(_CHUNK),
            ),
        }
        for part in backup_parts():
            counts[part.name] = part.dump(user=user, archive=archive)
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "format": FORMAT_VERSION,
                    "account": user.email,
                    "created_at": timezone.now().isoformat(),
                    "counts": counts,
                }
            ),
        )
    audit_record(actor=user, action="account.backup", obj=user, changes={"counts": counts})
    file.seek(0)
    return Backup(
        filename=f"marketplace-backup-{timezone.localtime():%Y%m%d-%H%M%S}.zip", file=file, counts=counts
    )


class BackupPart(Protocol):
    """What an app adds to an account backup (listed in ``ACCOUNT_BACKUP_PARTS``)."""

    name: str  # its key in the manifest's counts; its files go under ``name/``

    def dump(self, *, user: User, archive: zipfile.ZipFile) -> int:
        """Write the account's files into ``archive``; return how many things."""

    def restore(
        self, *, user: User, archive: zipfile.ZipFile, ids: Mapping[str, Mapping[str, str]], batch
    ) -> int:
        """Read them back for ``user``; ``ids`` maps "listings" and "templates" old
        ids to new ones (as strings); audit in ``batch``. Return how many."""


def backup_parts() -> list[BackupPart]:
    return [import_string(path)() for path in settings.ACCOUNT_BACKUP_PARTS]


def _refused(message: str) -> InvalidInput:
    return InvalidInput([FieldError("backup", message)])


def _read_array(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    try:
        rows = json.loads(archive.read(name))
    except KeyError:
        raise _refused(f"The backup has no {name}.") from None
    except ValueError as exc:
        raise _refused(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise _refused(f"{name} must be a list of objects.")
    return rows


def _open_backup(file: IO[bytes]) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise _refused("This is not a backup zip.") from None
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > settings.IMPORT_MAX_UNZIPPED_BYTES:
        raise _refused(f"The backup unpacks to {unpacked:,} bytes, more than this installation takes.")
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise _refused("The backup has no readable manifest.json.") from None
    if manifest.get("format") not in READABLE_FORMATS:
        raise _refused(f"Backup format {manifest.get('format')!r} is not one this version reads.")
    return archive


def account_is_empty(user: User) -> bool:
    """No listings and no templates (its sign-up and log-ins may be in its history)."""
    return not (
        Listing.objects.filter(owner=user).exists() or ListingTemplate.objects.filter(owner=user).exists()
    )


@transaction.atomic
def account_restore(*, user: User, file: IO[bytes]) -> dict[str, int]:
    """Write a backup into ``user``'s account, which must be empty: the listings (new
    ids, versions and times: they are new rows here; every value as it was, through
    the changeset engine), the templates and the history as they were (after what
    the account already has), then each ``ACCOUNT_BACKUP_PARTS`` part. All or
    nothing; the restore is one operation of its own in the history."""
    if not account_is_empty(user):
        raise _refused(f"{user.email} already has listings or templates; restore into an empty account.")
    archive = _open_backup(file)
    listings = _read_array(archive, "listings.json")
    templates = _read_array(archive, "templates.json")
    history = _read_array(archive, "history.json")
    batch = new_batch()
    cleaned = []
    for index, row in enumerate(listings):
        try:
            values = clean_listing_and_sale_date({name: row[name] for name in STORED_FIELDS if name in row})
        except InvalidInput as exc:
            raise InvalidInput([replace(error, index=index) for error in exc.errors]) from exc
        cleaned.append(
            NewListing(
                owner_id=user.pk,
                values=values,
                source=row.get("source") or Listing._meta.get_field("source").default,
                extra=row.get("extra") or {},
            )
        )
    result = changes_apply(actor=user, action="account.restore", create=cleaned, batch=batch)
    ids = {
        "listings": {str(row["id"]): str(pk) for row, pk in zip(listings, result.created, strict=True)},
        "templates": templates_restore(owner=user, rows=templates, batch=batch),
    }
    counts = {
        "listings": len(result.created),
        "templates": len(ids["templates"]),
        "history": audit_restore(
            actor=user,
            entries=history,
            object_ids={
                Listing._meta.label_lower: ids["listings"],
                ListingTemplate._meta.label_lower: ids["templates"],
            },
        ),
    }
    for part in backup_parts():
        counts[part.name] = part.restore(user=user, archive=archive, ids=ids, batch=batch)
    audit_record(actor=user, action="account.restore", obj=user, changes={"counts": counts}, batch=batch)
    return counts
