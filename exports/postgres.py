"""Export writers that PostgreSQL runs: the listings' query, each column spelt in SQL
as the Python writer would spell it (``exports.columns``), wrapped in
``COPY … TO STDOUT``. Python only passes the bytes on, so a 100,000-row csv takes
about as long as the COPY itself. The bytes are those of ``exports.writers``'s
csv and text (a test holds them equal); those writers remain for SQLite and for
listings a client sends.
"""

from collections.abc import Iterator

from django.db import connection
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, NullIf

from exports.columns import EXPORT_COLUMNS, ExportColumn, Kind
from exports.writers import ExportOptions, delimited_header
from marketplace.formulas import NeutralisedFormula

# Bytes gathered from COPY (one row a message) before they are passed on.
CHUNK_BYTES = 256 * 1024


def _cell(column: ExportColumn):
    """The column as text, the empty string as NULL: COPY's csv writes NULL as
    nothing but quotes an empty string (""), where Python's csv writes nothing."""
    field = F(column.name)
    if column.kind is Kind.TEXT:
        return NullIf(NeutralisedFormula(field), Value(""), output_field=TextField())
    if column.kind is Kind.FLAG:
        return Case(
            When(**{column.name: True}, then=Value("Yes")), default=Value("No"), output_field=TextField()
        )
    # A number as PostgreSQL prints it ("45.00"), as str() of the Decimal does.
    return Cast(field, TextField())


def _crlf_outside_quotes(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """COPY ends rows with LF; RFC 4180 (and Python's csv) with CRLF. Only the LFs
    outside quoted values end rows: a quoted value keeps its own line breaks."""
    inside = False
    for chunk in chunks:
        parts = chunk.split(b'"')
        # Between two quotes the state flips, so every other part is outside.
        start = 1 if inside else 0
        parts[start::2] = [part.replace(b"\n", b"\r\n") for part in parts[start::2]]
        if len(parts) % 2 == 0:
            inside = not inside
        yield b'"'.join(parts)


def _copy_chunks(statement: str, params) -> Iterator[bytes]:
    pending: list[bytes] = []
    size = 0
    # The psycopg cursor itself: Django's debug wrapper passes COPY no parameters.
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            pending.append(block)
            size += len(block)
            if size >= CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _write_delimited(listings: QuerySet, options: ExportOptions, *, dialect: str) -> Iterator[bytes]:
    select, params = listings.values_list(*map(_cell, EXPORT_COLUMNS)).query.sql_with_params()
    delimiter = "E'\\t'" if dialect == "excel-tab" else "','"
    statement = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})"
    yield delimited_header(dialect=dialect, bom=options.bom)
    yield from _crlf_outside_quotes(_copy_chunks(statement, params))


def copy_csv(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
    """``exports.writers.write_csv``'s file, written by PostgreSQL."""
    return _write_delimited(listings, options, dialect="excel")


def copy_text(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
    """``exports.writers.write_text``'s file, written by PostgreSQL."""
    return _write_delimited(listings, options, dialect="excel-tab")
