"""Each writer's exact output for known rows, and formula injection."""

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

from exports.columns import EXPORT_COLUMNS
from exports.tests.conftest import HOSTILE_STRINGS, listing
from exports.writers import (
    COLUMNS,
    ExportOptions,
    neutralise_formula,
    write_csv,
    write_json,
    write_text,
    write_xlsx,
)
from listings.fields import STORED_FIELDS

CHAIR = listing(
    7,
    "Oak chair",
    Decimal("45.00"),
    "Used - Good",
    'Solid oak, "as new"',
    "Furniture//Chairs",
    False,
    status="sold",
    sku="OAK-1",
    quantity=0,
    sold_price=Decimal("40.00"),
    notes="=private",
    sold_at=datetime(2026, 11, 30, 10, 15, 2, 123456, tzinfo=timezone(timedelta(hours=1))),
)
LAMP = listing(12, "Lamp", Decimal("1299.50"), "New", "", "", True)
FORMULAS = ("=SUM(A1:A9)", "+1", "-1", "@cmd", "\tlead tab", "\rlead return")
# The columns these tests know; any later field is empty in their rows (its default).
KNOWN = 13
LATER = "," * (len(COLUMNS) - KNOWN)


def written(writer, rows, **options) -> bytes:
    return b"".join(writer(iter(rows), ExportOptions(**options)))


def test_every_stored_field_is_an_export_column_after_the_id():
    assert [column.name for column in EXPORT_COLUMNS] == ["id", *STORED_FIELDS]
    assert COLUMNS[:KNOWN] == (
        "ID",
        "TITLE",
        "PRICE",
        "CONDITION",
        "DESCRIPTION",
        "CATEGORY",
        "OFFER SHIPPING",
        "STATUS",
        "SKU",
        "QUANTITY",
        "SOLD PRICE",
        "NOTES",
        "SOLD AT",
    )


def test_csv_exact_bytes():
    header = ",".join(COLUMNS).encode()
    assert written(write_csv, [CHAIR, LAMP]) == (
        header + b"\r\n"
        b'7,Oak chair,45.00,Used - Good,"Solid oak, ""as new""",Furniture//Chairs,No,'
        b"sold,OAK-1,0,40.00,'=private,2026-11-30T09:15:02Z" + LATER.encode() + b"\r\n"
        b"12,Lamp,1299.50,New,,,Yes,ready,,1,,," + LATER.encode() + b"\r\n"
    )


def test_csv_bom_only_when_asked():
    assert written(write_csv, [CHAIR], bom=True).startswith(b"\xef\xbb\xbfID,TITLE,")
    assert written(write_csv, [CHAIR]).startswith(b"ID,TITLE,")
    assert written(write_csv, [], bom=True) == b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\r\n"


def test_text_is_tab_separated_and_quotes_only_what_needs_it():
    tabs = LATER.replace(",", "\t").encode()
    assert written(
        write_text, [CHAIR, listing(3, "Two\tcols", Decimal("1.00"), "New", "a\nb", "", False)]
    ) == (
        "\t".join(COLUMNS).encode() + b"\r\n"
        b'7\tOak chair\t45.00\tUsed - Good\t"Solid oak, ""as new"""\tFurniture//Chairs\tNo\t'
        b"sold\tOAK-1\t0\t40.00\t'=private\t2026-11-30T09:15:02Z" + tabs + b"\r\n"
        b'3\t"Two\tcols"\t1.00\tNew\t"a\nb"\t\tNo\tready\t\t1\t\t\t' + tabs + b"\r\n"
    )


@pytest.mark.parametrize("writer, dialect", [(write_csv, "excel"), (write_text, "excel-tab")])
def test_delimited_hostile_strings_read_back_unchanged(writer, dialect):
    rows = [
        listing(number, text, Decimal("2.00"), "New", text, "Cat", True)
        for number, text in enumerate(HOSTILE_STRINGS, start=1)
        if text[0] not in "=+-@\t\r"
    ]
    read = list(csv.reader(io.StringIO(written(writer, rows).decode(), newline=""), dialect=dialect))
    assert read[0] == list(COLUMNS)
    assert [(r[1], r[4]) for r in read[1:]] == [(row[1], row[4]) for row in rows]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_injection_neutralised_in_csv_and_text(text):
    for writer, dialect in ((write_csv, "excel"), (write_text, "excel-tab")):
        row = listing(1, text, Decimal("5.00"), "New", text, text, False)
        cells = list(csv.reader(io.StringIO(written(writer, [row]).decode(), newline=""), dialect=dialect))[1]
        assert cells[1] == cells[4] == cells[5] == "'" + text
        # The id and the price are still plain numbers.
        assert cells[0] == "1"
        assert cells[2] == "5.00"


def test_harmless_text_is_left_alone():
    for text in ("Chair = table", "a-b", "email@example.com", " =not first", "1+1"):
        assert neutralise_formula(text) == text


def test_json_is_an_array_of_listing_objects_in_column_order():
    body = written(write_json, [CHAIR, LAMP])
    data = json.loads(body)
    assert [list(item) for item in data] == [[column.name for column in EXPORT_COLUMNS]] * 2
    known = [dict(list(item.items())[:KNOWN]) for item in data]
    assert known == [
        {
            "id": 7,
            "title": "Oak chair",
            "price": "45.00",
            "condition": "Used - Good",
            "description": 'Solid oak, "as new"',
            "category": "Furniture//Chairs",
            "offer_shipping": False,
            "status": "sold",
            "sku": "OAK-1",
            "quantity": 0,
            "sold_price": "40.00",
            "notes": "=private",
            "sold_at": "2026-11-30T09:15:02Z",
        },
        {
            "id": 12,
            "title": "Lamp",
            "price": "1299.50",
            "condition": "New",
            "description": "",
            "category": "",
            "offer_shipping": True,
            "status": "ready",
            "sku": "",
            "quantity": 1,
            "sold_price": None,
            "notes": "",
            "sold_at": None,
        },
    ]
    assert json.loads(written(write_json, [])) == []


def test_json_keeps_hostile_strings_and_writes_utf8():
    rows = [
        listing(n, text, Decimal("1.00"), "New", text, text, False) for n, text in enumerate(HOSTILE_STRINGS)
    ]
    body = written(write_json, rows)
    assert "😀".encode() in body  # not \\ud83d escapes
    assert [item["description"] for item in json.loads(body)] == list(HOSTILE_STRINGS)


def _xlsx(rows):
    return openpyxl.load_workbook(io.BytesIO(written(write_xlsx, rows)))


CHAIR_CELLS = [
    7,
    "Oak chair",
    45,
    "Used - Good",
    'Solid oak, "as new"',
    "Furniture//Chairs",
    "No",
    "sold",
    "OAK-1",
    0,
    40,
    "=private",
    "2026-11-30T09:15:02Z",
]
LAMP_CELLS = [12, "Lamp", 1299.5, "New", None, None, "Yes", "ready", None, 1, None, None, None]


def test_xlsx_shape_header_widths_frozen_and_types():
    sheet = _xlsx([CHAIR, LAMP]).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["A1"].fill.fgColor.rgb.endswith("1877F2")
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLM"] == pytest.approx(
        [10.71, 40.71, 12.71, 18.71, 60.71, 45.71, 16.71, 20.71, 16.71, 10.71, 12.71, 40.71, 22.71], abs=0.01
    )
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [list(row[:KNOWN]) for row in rows] == [CHAIR_CELLS, LAMP_CELLS]
    assert sheet["C3"].data_type == "n" and sheet["C3"].number_format == "0.00"
    assert sheet["K2"].data_type == "n" and sheet["K2"].number_format == "0.00"
    # The private note is the seller's own text, guarded like every other.
    assert sheet["L2"].quotePrefix is True
    assert sheet.max_row == 3


def test_xlsx_reads_back_in_calamine():
    book = CalamineWorkbook.from_filelike(io.BytesIO(written(write_xlsx, [CHAIR, LAMP])))
    rows = book.get_sheet_by_name("Listings").to_python()
    assert rows[0] == list(COLUMNS)
    assert rows[1][:KNOWN] == [7.0, *CHAIR_CELLS[1:9], 0.0, 40.0, *CHAIR_CELLS[11:]]
    assert rows[2][:4] == [12.0, "Lamp", 1299.5, "New"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_injection_neutralised_in_xlsx(text):
    sheet = _xlsx([listing(1, text, Decimal("5.00"), "New", text, "Cat", False)]).active
    for ref in ("B2", "E2"):
        cell = sheet[ref]
        # A string cell (never a formula), marked so Excel keeps showing it as text.
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    assert sheet["D2"].quotePrefix is False
    assert sheet["A2"].data_type == sheet["C2"].data_type == "n"


def test_xlsx_keeps_hostile_strings():
    rows = [
        listing(n, text, Decimal("1.00"), "New", text, "", False) for n, text in enumerate(HOSTILE_STRINGS)
    ]
    sheet = _xlsx(rows).active
    # openpyxl leaves OOXML's _xHHHH_ escapes (for CR, and for text that looks like one) in place.
    assert [unescape(row[4]) for row in sheet.iter_rows(min_row=2, values_only=True)] == list(HOSTILE_STRINGS)
