"""An import's rows as the changeset engine takes them, and the staged rows of a
preview. The engine writes them (COPY on PostgreSQL) in the commit's transaction."""

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal

import orjson
from django.core.files import File

from listings.fields import LISTING_FIELDS, Source
from listings.services.changes import NewListing
from marketplace.jsontext import json_bytes

PROGRESS_EVERY = 5000
# Where a staged row holds a price (the price, and the sold price when there is one).
_DECIMAL_POSITIONS = tuple(LISTING_FIELDS.index(name) for name in ("price", "sold_price"))
# And the sale's date, after extra and warnings (``new_listings``).
_SOLD_AT_POSITION = len(LISTING_FIELDS) + 2


class StagedRows:
    """Rows as ``create_listings`` takes them, written one JSON array a line to a
    temporary file as they come, so a large preview never holds them all in memory."""

    def __init__(self) -> None:
        # Closed by ``close`` once stored; a with-block cannot span the rows' arrival.
        self.file = tempfile.TemporaryFile()  # noqa: SIM115

    def append(self, row: tuple) -> None:
        # Prices (Decimal) and the sale's date as their text (``str``), as
        # ``staged_rows`` reads them back.
        self.file.write(json_bytes(row, default=str) + b"\n")

    def as_file(self) -> File:
        self.file.seek(0)
        return File(self.file)

    def close(self) -> None:
        self.file.close()


def _lines(stream) -> Iterator[bytes]:
    # By chunks: a stored file's own line iteration looks at every line's end for a
    # lone CR, which JSON lines (a raw CR or LF inside a value is escaped) never hold.
    tail = b""
    for chunk in stream.chunks():
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        yield from lines
    if tail:
        yield tail


def staged_rows(field_file) -> Iterator[tuple]:
    with field_file.open("rb") as stream:
        for line in _lines(stream):
            # orjson reads numbers past 64 bits as floats; a staged row's numbers are
            # quantities and ids, its cells kept as text.
            values = orjson.loads(line)
            for position in _DECIMAL_POSITIONS:
                if values[position] is not None:
                    values[position] = Decimal(values[position])
            if len(values) > _SOLD_AT_POSITION and values[_SOLD_AT_POSITION] is not None:
                values[_SOLD_AT_POSITION] = datetime.fromisoformat(values[_SOLD_AT_POSITION])
            yield tuple(values)


def new_listings(
    *, owner_id: int, rows: Iterable[tuple], on_progress: Callable[[int], None] | None = None
) -> Iterator[NewListing]:
    """The engine's creates for ``rows`` of (*LISTING_FIELDS, extra, warnings, sold_at),
    read lazily; ``on_progress`` hears the count every ``PROGRESS_EVERY`` rows. Rows
    staged before extra and warnings were kept as they are carry them as JSON text, and
    rows staged before imports kept the sale's date end at the warnings. A sale's date
    left empty is the write path's to set."""
    width = len(LISTING_FIELDS)
    for count, row in enumerate(rows, start=1):
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(count)
        extra, warnings, *sold_at = row[width:]
        values = dict(zip(LISTING_FIELDS, row[:width], strict=True))
        if sold_at and sold_at[0] is not None:
            values["sold_at"] = sold_at[0]
        yield NewListing(
            owner_id=owner_id,
            values=values,
            source=Source.IMPORT,
            extra=json.loads(extra) if isinstance(extra, str) else extra,
            warnings=json.loads(warnings) if isinstance(warnings, str) else warnings,
        )
