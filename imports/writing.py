"""Writing an import's rows: COPY on PostgreSQL, batched bulk_create elsewhere.

Callers run these inside their transaction; nothing here commits.
"""

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import connection
from django.db.models import F

from audit.services import field_changes
from listings.fields import LISTING_FIELDS, Source
from listings.models import Listing
from listings.validation import listing_warnings

BATCH_SIZE = 2000
PROGRESS_EVERY = 5000


class StagedRows:
    """Rows as ``create_listings`` takes them, written one JSON array a line to a
    temporary file as they come, so a large preview never holds them all in memory."""

    def __init__(self) -> None:
        # Closed by ``close`` once stored; a with-block cannot span the rows' arrival.
        self.file = tempfile.TemporaryFile()  # noqa: SIM115

    def append(self, row: tuple) -> None:
        self.file.write(json.dumps([row[0], str(row[1]), *row[2:]], ensure_ascii=False).encode() + b"\n")

    def as_file(self) -> File:
        self.file.seek(0)
        return File(self.file)

    def close(self) -> None:
        self.file.close()


def staged_rows(field_file) -> Iterator[tuple]:
    with field_file.open("rb") as stream:
        for line in stream:
            values = json.loads(line)
            values[1] = Decimal(values[1])
            yield tuple(values)


def create_listings(
    *, owner_id: int, rows: Iterable[tuple], now: datetime, on_progress: Callable[[int], None] | None = None
) -> int:
    """Insert ``rows`` of (*LISTING_FIELDS, extra JSON, warnings JSON) for one owner;
    returns how many. ``on_progress`` hears the count every ``PROGRESS_EVERY`` rows."""
    counted = _counting(rows, on_progress)
    if connection.vendor == "postgresql":
        _copy_listings(owner_id=owner_id, rows=counted, now=now)
    else:
        batch: list[Listing] = []
        for row in counted:
            batch.append(
                Listing(
                    owner_id=owner_id,
                    source=Source.IMPORT,
                    extra=json.loads(row[-2]),
                    warnings=json.loads(row[-1]),
                    **dict(zip(LISTING_FIELDS, row, strict=False)),
                )
            )
            if len(batch) == BATCH_SIZE:
                Listing.objects.bulk_create(batch)
                batch = []
        Listing.objects.bulk_create(batch)
    return counted.count


class _counting:
    def __init__(self, rows: Iterable[tuple], on_progress: Callable[[int], None] | None) -> None:
        self.rows, self.on_progress, self.count = rows, on_progress, 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            if self.on_progress and self.count % PROGRESS_EVERY == 0:
                self.on_progress(self.count)
            yield row


def _copy_listings(*, owner_id: int, rows: Iterable[tuple], now: datetime) -> None:
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
