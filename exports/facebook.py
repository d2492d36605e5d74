"""Facebook Marketplace bulk-upload files, made from Facebook's own template.

``data/Marketplace_Bulk_Upload_Template.xlsx`` is Facebook's file, unchanged. Its
listing sheet has a title (row 1), instructions (rows 2-3), the header (row 4) and an
example listing (row 5); a hidden VALIDATION sheet holds the lists that the CONDITION
and CATEGORY dropdowns (data validations on C5:C… and E5:E…) point at.

A file is the template's zip with every part's content unchanged except the listing
sheet, where the example row is replaced by our rows (inline strings, so the shared
string table stays Facebook's). Rewriting the XML rather than loading the workbook
with openpyxl keeps what openpyxl would drop or rewrite, and costs milliseconds per
file, which matters at 2,000 files for 100,000 listings.

Facebook takes at most 50 listings per file; more listings give a zip of files.
PRICE is "a whole number in $": prices are rounded to the nearest dollar, halves up
(19.49 → 19, 19.50 → 20). OFFER SHIPPING is Yes or No.
"""

import csv
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from itertools import islice
from pathlib import Path

from exports.writers import (
    DIMENSION,
    DrainableSink,
    ExportOptions,
    Row,
    batches,
    facebook_values,
    sheet_text,
    yes_no,
)
from marketplace.formulas import neutralise_formula

TEMPLATE_PATH = Path(__file__).resolve().parent / "data" / "Marketplace_Bulk_Upload_Template.xlsx"
LISTING_SHEET_PART = "xl/worksheets/sheet1.xml"
FIRST_LISTING_ROW = 5
LISTINGS_PER_FILE = 50
# The template's rows span columns A:I (its instruction cells reach I3:I4).
ROW_SPANS = "1:9"

_EXAMPLE_ROW = re.compile(rb'<row r="5"[^>]*>.*?</row>', re.DOTALL)


def whole_dollars(price: Decimal) -> int:
    """The template asks for a whole number: nearest dollar, halves rounded up."""
    return int(price.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class _Template:
    """The template cut where each file's own bytes go: the zip entries of every part
    but the listing sheet (compressed once) and their central directory records,
    which no file changes, and the listing sheet's XML around the example row."""

    entries: bytes
    central_directory: bytes
    parts: int
    dos_time: int
    dos_date: int
    sheet_head: bytes
    sheet_tail: bytes


@cache
def _template() -> _Template:
    base = io.BytesIO()
    with zipfile.ZipFile(TEMPLATE_PATH) as template, zipfile.ZipFile(base, "w") as without_sheet:
        for info in template.infolist():
            if info.filename == LISTING_SHEET_PART:
                sheet_info, sheet = info, template.read(info)
            else:
                without_sheet.writestr(info, template.read(info))
        parts = len(without_sheet.infolist())
    matches = list(_EXAMPLE_ROW.finditer(sheet))
    if len(matches) != 1:
        raise RuntimeError(f"{TEMPLATE_PATH.name}: expected one example row 5 in {LISTING_SHEET_PART}.")
    data = base.getvalue()
    # zipfile wrote no archive comment, so the end record is the last 22 bytes.
    directory_size, directory_offset = struct.unpack("<LL", data[-10:-2])
    year, month, day, hour, minute, second = sheet_info.date_time
    return _Template(
        entries=data[:directory_offset],
        central_directory=data[directory_offset : directory_offset + directory_size],
        parts=parts,
        dos_time=hour << 11 | minute << 5 | second // 2,
        dos_date=(year - 1980) << 9 | month << 5 | day,
        sheet_head=sheet[: matches[0].start()],
        sheet_tail=sheet[matches[0].end() :],
    )


def _with_sheet(template: _Template, sheet: bytes) -> bytes:
    """The template's zip with ``sheet`` as its listing sheet: the pre-built entries
    and directory of the other parts, then the sheet's entry and directory record
    (the zip format's local header, central record and end record, APPNOTE 4.3)."""
    # Level 1: a fifth of the default level's time (2,000 files of 100,000 listings), the
    # sheet a little larger.
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    data = compressor.compress(sheet) + compressor.flush()
    name = LISTING_SHEET_PART.encode()
    crc, times = zlib.crc32(sheet), (template.dos_time, template.dos_date)
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, *times, crc, len(data), len(sheet), len(name), 0
    )
    record = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        0x0314,  # made by: Unix, zip 2.0
        20,
        0,
        8,  # deflated
        *times,
        crc,
        len(data),
        len(sheet),
        len(name),
        0,
        0,
        0,
        0,
        0o600 << 16,  # a regular file, rw-------
        len(template.entries),
    )
    entries_size = len(template.entries) + len(local) + len(name) + len(data)
    directory_size = len(template.central_directory) + len(record) + len(name)
    parts = template.parts + 1
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, parts, parts, directory_size, entries_size, 0)
    return b"".join((template.entries, local, name, data, template.central_directory, record, name, end))


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{sheet_text(text)}</t></is></c>'


def _row_xml(number: int, row: Row) -> str:
    title, price, condition, description, category, offer_shipping = facebook_values(row)
    return (
        f'<row r="{number}" spans="{ROW_SPANS}">{_text_cell(f"A{number}", title)}'
        f'<c r="B{number}"><v>{whole_dollars(price)}</v></c>{_text_cell(f"C{number}", condition)}'
        f"{_text_cell(f'D{number}', description) if description else ''}"
        f"{_text_cell(f'E{number}', category) if category else ''}"
        f"{_text_cell(f'F{number}', yes_no(offer_shipping))}</row>\n"
    )


def facebook_workbook(rows: Sequence[Row]) -> bytes:
    """One bulk-upload xlsx holding ``rows`` (at most 50) from row 5 on."""
    if len(rows) > LISTINGS_PER_FILE:
        raise ValueError(f"Facebook accepts at most {LISTINGS_PER_FILE} listings per file.")
    body = "".join(_row_xml(FIRST_LISTING_ROW + index, row) for index, row in enumerate(rows))
    return sheet_workbook(body.encode(), len(rows))


def sheet_workbook(body: bytes, count: int) -> bytes:
    """A bulk-upload xlsx whose listing rows are ``body``, the sheet XML of ``count``
    rows from row 5 on (``_row_xml``'s, or PostgreSQL's in ``exports.postgres``)."""
    template = _template()
    last_row = FIRST_LISTING_ROW + count - 1
    head = _dimensioned_head(max(last_row, FIRST_LISTING_ROW - 1))
    # Only the sheet is compressed per file: the rest of the template (its 1,869
    # categories among it) was compressed once.
    return _with_sheet(template, head + body + template.sheet_tail)


@cache
def _dimensioned_head(last_row: int) -> bytes:
    return DIMENSION.sub(f'<dimension ref="A1:I{last_row}"/>'.encode(), _template().sheet_head)


def zipped_workbooks(workbooks: Iterable[bytes], options: ExportOptions) -> Iterator[bytes]:
    """A zip of ``workbooks`` named ``<stem>-001.xlsx``, ``<stem>-002.xlsx``, …"""
    sink = DrainableSink()
    made_at = time.localtime()[:6]
    # The workbooks are already deflated: storing them again compressed gains nothing.
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, workbook in enumerate(workbooks, start=1):
            archive.writestr(zipfile.ZipInfo(f"{options.stem}-{number:03d}.xlsx", made_at), workbook)
            yield sink.take()
    yield sink.take()


def write_facebook(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """One workbook, or with ``options.zipped`` a zip of workbooks of 50 listings each,
    named ``<stem>-001.xlsx``, ``<stem>-002.xlsx``, …; with ``options.photos`` the zip
    is a bundle with the photos too (see ``write_facebook_bundle``)."""
    if options.photos is not None:
        yield from write_facebook_bundle(rows, options)
        return
    if not options.zipped:
        yield facebook_workbook(list(islice(rows, LISTINGS_PER_FILE)))
        return
    yield from zipped_workbooks(map(facebook_workbook, batches(rows, LISTINGS_PER_FILE)), options)


MANIFEST_HEADER = ("file", "row", "title", "photos")


def write_facebook_bundle(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
    """A zip of the workbooks (``<stem>-001.xlsx``, …), a ``photos/`` folder with each
    row's photos as ``<file>-row<N>-<k>.jpg`` (``N`` the row of the sheet, as Excel
    shows it; ``k`` the photo's place) and ``manifest.csv`` (file, row, title, photo
    names separated by spaces): Facebook's bulk upload takes no photos, so sellers
    add them row by row after uploading the files."""
    sink = DrainableSink()
    made_at = time.localtime()[:6]
    manifest = io.StringIO()
    lines = csv.writer(manifest)
    lines.writerow(MANIFEST_HEADER)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, group in enumerate(batches(rows, LISTINGS_PER_FILE), start=1):
            workbook = f"{options.stem}-{number:03d}"
            archive.writestr(zipfile.ZipInfo(f"{workbook}.xlsx", made_at), facebook_workbook(group))
            photos = options.photos([row[0] for row in group])
            for index, row in enumerate(group):
                sheet_row = FIRST_LISTING_ROW + index
                names = []
                for place, read in enumerate(photos.get(row[0], ()), start=1):
                    name = f"{workbook}-row{sheet_row}-{place}.jpg"
                    archive.writestr(zipfile.ZipInfo(f"photos/{name}", made_at), read())
                    names.append(name)
                    yield sink.take()
                lines.writerow((f"{workbook}.xlsx", sheet_row, neutralise_formula(row[1]), " ".join(names)))
            yield sink.take()
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", made_at), manifest.getvalue().encode(), zipfile.ZIP_DEFLATED
        )
    yield sink.take()
