"""Writing an import's rows: COPY on PostgreSQL, batched bulk_create elsewhere.

Callers run these inside their transaction; nothing here commits.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F

from audit.services import field_changes
from listings.models import LISTING_FIELDS, Listing, Source
from listings.validation import listing_warnings

BATCH_SIZE = 2000


def create_listings(*, owner_id: int, rows: Sequence[tuple], now: datetime) -> int:
    """Insert ``rows`` of (*LISTING_FIELDS, extra JSON, warnings JSON) for one owner."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _copy_listings(owner_id=owner_id, rows=rows, now=now)
    else:
        listings = (
            Listing(
                owner_id=owner_id,
                source=Source.IMPORT,
                extra=json.loads(row[-2]),
                warnings=json.loads(row[-1]),
                **dict(zip(LISTING_FIELDS, row, strict=False)),
            )
            for row in rows
        )
        batch: list[Listing] = []
        for listing in listings:
            batch.append(listing)
            if len(batch) == BATCH_SIZE:
                Listing.objects.bulk_create(batch)
                batch = []
        Listing.objects.bulk_create(batch)
    return len(rows)


def _copy_listings(*, owner_id: int, rows: Sequence[tuple], now: datetime) -> None:
    meta = Listing._meta
    names = ("owner", *LISTING_FIELDS, "extra", "warnings", "source", "version", "created_at", "updated_at")
    columns = ", ".join(f'"{meta.get_field(name).column}"' for name in names)
    tail = (Source.IMPORT.value, 1, now, now)
    # Identifiers come from the model, values travel in the COPY stream.
    statement = f'COPY "{meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((owner_id, *row, *tail))


def update_listings(*, owner_id: int, updates: Mapping[int, Mapping[str, Any]], now: datetime) -> list[dict]:
    """Give the owner's listings their new field values, locking them first.

    Returns ``[{"id", "changes"}]`` for the listings that really changed, compared
    with their values under the lock (another edit may have landed since the preview).
    """
    changed: list[Listing] = []
    report: list[dict] = []
    ids = list(updates)
    for start in range(0, len(ids), BATCH_SIZE):
        locked = Listing.objects.select_for_update().filter(
            owner_id=owner_id, pk__in=ids[start : start + BATCH_SIZE]
        )
        for listing in locked:
            values = {name: updates[listing.pk][name] for name in LISTING_FIELDS}
            changes = field_changes(listing.field_values(), values)
            if not changes:
                continue
            for name, value in values.items():
                setattr(listing, name, value)
            listing.warnings = listing_warnings(values)
            listing.version = F("version") + 1
            listing.updated_at = now
            changed.append(listing)
            report.append({"id": listing.pk, "changes": changes})
    Listing.objects.bulk_update(
        changed, [*LISTING_FIELDS, "warnings", "version", "updated_at"], batch_size=BATCH_SIZE
    )
    return report
