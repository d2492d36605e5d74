"""Export writers: each turns an iterator of listing rows into an iterator of bytes.

A row is ``(id, title, price, condition, description, category, offer_shipping)`` in
``COLUMNS`` order, as ``exports.selectors.export_rows`` yields it. The listing id comes
first in csv, text, xlsx and json, so a file edited elsewhere and imported again
updates the listings it came from (the import maps an "ID" column to the listing id);
Facebook's file and the SQL script have no place for it. Writers never hold
more than one batch of rows, so memory stays flat whatever the number of listings.
"""

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path

import xlsxwriter

from marketplace.formulas import is_formula_like, neutralise_formula

Row = tuple[int, str, Decimal, str, str, str, bool]


@dataclass(frozen=True)
class ExportOptions:
    # csv and text: start with a UTF-8 byte-order mark so Excel reads UTF-8.
    bom: bool = False
    # Formats that split into files of a few listings (Facebook's 50) give a zip,
    # whose parts are named after ``stem``, the download's name without extension.
    zipped: bool = False
    stem: str = "marketplace-listings"


COLUMNS = ("ID", "TITLE", "PRICE", "CONDITION", "DESCRIPTION", "CATEGORY", "OFFER SHIPPING")
JSON_KEYS = ("id", "title", "price", "condition", "description", "category", "offer_shipping")
# Rows written between two yields: large enough to keep per-chunk overhead low,
# small enough that a chunk is a few hundred kilobytes at most.
BATCH_ROWS = 1000
FILE_CHUNK_BYTES = 256 * 1024


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def batches(rows: Iterable[Row], size: int = BATCH_ROWS) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _delimited(rows: Iterable[Row], *, dialect: str, bom: bool) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=dialect)
    writer.writerow(COLUMNS)
    prefix = "\ufeff" if bom else ""
    for batch in batches(rows):
        for listing_id, title, price, condition, description, category, offer_shipping in batch:
            writer.writerow(
                (
                    listing_id,
                    neutralise_formula(title),
                    price,
                    neutralise_formula(condition),
                    neutralise_formula(description),
                    neutralise_formula(category),
                    yes_no(offer_shipping),
                )
            )
        yield (prefix + buffer.getvalue()).encode()
        prefix = ""
        buffer.seek(0)
        buffer.truncate()
    if prefix or buffer.tell():
        # No rows at all: the header (and BOM) alone.
        yield (prefix + buffer.getvalue()).encode()


def write_csv(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8; ``bom`` adds the byte-order mark Excel needs to see UTF-8."""
    return _delimited(rows, dialect="excel", bom=options.bom)


def write_text(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """Tab-separated text as Excel writes it: a field holding a tab, a newline or a
    double quote is quoted."""
    return _delimited(rows, dialect="excel-tab", bom=options.bom)


# One encoder for the whole export: json.dumps(..., ensure_ascii=False) would build a
# new one per call.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


def write_json(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """A JSON array of listing objects, one per line; the price is a string, as the API
    gives it."""
    opening = "[\n"
    for batch in batches(rows):
        items = [
            dict(
                zip(
                    JSON_KEYS,
                    (listing_id, title, str(price), condition, description, category, offer_shipping),
                    strict=True,
                )
            )
            for listing_id, title, price, condition, description, category, offer_shipping in batch
        ]
        yield (opening + ",\n".join(_JSON_ENCODER.encode(item) for item in items)).encode()
        opening = ",\n"
    yield b"[]\n" if opening == "[\n" else b"\n]\n"


def write_json_columns(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """A JSON array of objects keyed by Facebook's column names, the price a number and
    shipping "Yes"/"No": the Flask system's JSON export."""
    opening = "[\n"
    for batch in batches(rows):
        items = [
            dict(
                zip(
                    COLUMNS[1:],
                    (title, float(price), condition, description, category, yes_no(offer_shipping)),
                    strict=True,
                )
            )
            for _id, title, price, condition, description, category, offer_shipping in batch
        ]
        yield (opening + ",\n".join(_JSON_ENCODER.encode(item) for item in items)).encode()
        opening = ",\n"
    yield b"[]\n" if opening == "[\n" else b"\n]\n"


SQL_TABLE = "marketplace_listings"
SQL_CREATE = f"""CREATE TABLE IF NOT EXISTS {SQL_TABLE} (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title varchar(150) NOT NULL,
    price numeric(10, 2) NOT NULL CHECK (price >= 0),
    condition varchar(20) NOT NULL,
    description text NOT NULL DEFAULT '',
    category varchar(255) NOT NULL DEFAULT '',
    offer_shipping boolean NOT NULL DEFAULT false
);
"""
SQL_INSERT = (
    f"INSERT INTO {SQL_TABLE} (title, price, condition, description, category, offer_shipping) VALUES\n"
)


def sql_literal(text: str) -> str:
    """A string literal that means the same text whatever ``standard_conforming_strings``
    says: ``'...'`` when there is no backslash, else ``E'...'`` with backslashes doubled
    (quotes doubled in both). This is what ``psycopg.sql.quote`` writes (a test holds
    them equal), done inline because psycopg's takes 6 µs a value: 2.5 s of 100,000 rows."""
    text = text.replace("'", "''")
    if "\\" in text:
        return "E'" + text.replace("\\", "\\\\") + "'"
    return "'" + text + "'"


def write_sql(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """A PostgreSQL script: the table, then one multi-row INSERT per batch, in one
    transaction so a failed load leaves nothing behind."""
    yield (
        "-- Marketplace Bulk Editor export. Load with: psql -v ON_ERROR_STOP=1 -f FILE DBNAME\n"
        "SET client_encoding = 'UTF8';\n"
        "BEGIN;\n" + SQL_CREATE
    ).encode()
    for batch in batches(rows):
        values = ",\n".join(
            f"({sql_literal(title)}, {price}, {sql_literal(condition)}, {sql_literal(description)}, "
            f"{sql_literal(category)}, {'true' if offer_shipping else 'false'})"
            for _, title, price, condition, description, category, offer_shipping in batch
        )
        yield (SQL_INSERT + values + ";\n").encode()
    yield b"COMMIT;\n"


def write_sql_statements(
    rows: Iterable[tuple], options: ExportOptions, *, table: str, with_id: bool
) -> Iterator[bytes]:
    """One ``INSERT INTO <table> ([id, ]title, price, condition, description, category,
    offer_shipping) VALUES (...);`` per listing, shipping as 'Yes'/'No': the Flask
    system's SQL export; the id column only ``with_id`` (stored listings)."""
    names = ("id, " if with_id else "") + "title, price, condition, description, category, offer_shipping"
    yield f"-- Marketplace Listings Export: {options.stem}\n\n".encode()
    for batch in batches(rows):
        statements = []
        for row in batch:
            pk, title, price, condition, description, category, offer_shipping = row
            values = ", ".join(
                [
                    *([str(pk)] if with_id else []),
                    sql_literal(title),
                    str(price),
                    sql_literal(condition),
                    sql_literal(description),
                    sql_literal(category),
                    f"'{yes_no(offer_shipping)}'",
                ]
            )
            # The table name is ours; every value is a literal made by sql_literal.
            statements.append(f"INSERT INTO {table} ({names})\nVALUES ({values});\n")
        yield "".join(statements).encode()


XLSX_COLUMN_WIDTHS = (10, 40, 12, 18, 60, 45, 16)


def write_xlsx(
    rows: Iterable[Row], options: ExportOptions, *, sheet_title: str = "Listings"
) -> Iterator[bytes]:
    """An xlsx workbook written row by row (xlsxwriter's constant-memory mode) into a
    temporary directory, then streamed out and deleted."""
    workdir = Path(tempfile.mkdtemp(prefix="export-xlsx-"))
    try:
        path = workdir / "listings.xlsx"
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(workdir)})
        header = workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1877F2", "border": 1, "valign": "vcenter"}
        )
        price_format = workbook.add_format({"num_format": "0.00"})
        # quotePrefix: Excel shows the text as typed and keeps it text when edited.
        as_text = workbook.add_format({"quote_prefix": True})
        sheet = workbook.add_worksheet(sheet_title)
        for index, width in enumerate(XLSX_COLUMN_WIDTHS):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 20)
        for col, name in enumerate(COLUMNS):
            sheet.write_string(0, col, name, header)
        row_number = 0
        for batch in batches(rows):
            for listing_id, title, price, condition, description, category, offer_shipping in batch:
                row_number += 1
                if listing_id is not None:  # listings a client sent to export are not stored
                    sheet.write_number(row_number, 0, listing_id)
                for col, text in ((1, title), (3, condition), (4, description), (5, category)):
                    if text:
                        sheet.write_string(row_number, col, text, as_text if is_formula_like(text) else None)
                sheet.write_number(row_number, 2, price, price_format)
                sheet.write_string(row_number, 6, yes_no(offer_shipping))
        workbook.close()
        with path.open("rb") as file:
            while chunk := file.read(FILE_CHUNK_BYTES):
                yield chunk
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
