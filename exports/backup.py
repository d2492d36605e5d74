"""A backup of one account: its listings, templates and history as JSON files in a
zip. Only the account's own data, read through cursors and written to a temporary
file, so memory stays flat however many listings there are."""

import json
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.api import AUDIT_COLUMNS
from audit.models import AuditEntry
from audit.services import audit_record
from listing_templates.models import ListingTemplate
from listing_templates.serializers import TEMPLATE_COLUMNS
from listings.api.serializers import LISTING_COLUMNS as API_LISTING_COLUMNS
from listings.models import Listing

BACKUP_CONTENT_TYPE = "application/zip"
FORMAT_VERSION = 1
# The native API's columns, and what a listing keeps beyond them.
LISTING_COLUMNS = (*API_LISTING_COLUMNS, "ocr_scan_id", "extra")
_CHUNK = 2000


@dataclass(frozen=True)
class Backup:
    filename: str
    file: IO[bytes]  # at its start
    counts: dict[str, int]


def _write_array(archive: zipfile.ZipFile, name: str, rows: Iterable[dict[str, Any]]) -> int:
    encoder = DjangoJSONEncoder(ensure_ascii=False)
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
                AuditEntry.objects.filter(actor=user).order_by("id").values(*AUDIT_COLUMNS).iterator(_CHUNK),
            ),
        }
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
