"""Each writer's exact output for known rows, and formula injection."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from exports.tests.conftest import HOSTILE_STRINGS
from exports.writers import (
    COLUMNS,
    ExportOptions,
    neutralise_formula,
    write_csv,
    write_json,
    write_text,
    write_xlsx,
)

CHAIR = (7, "Oak chair", Decimal("45.00"), "Used - Good", 'Solid oak, "as new"', "Furniture//Chairs", False)
LAMP = (12, "Lamp", Decimal("1299.50"), "New", "", "", True)
FORMULAS = ("=SUM(A1:A9)", "+1", "-1", "@cmd", "\tlead tab", "\rlead return")


def written(writer, rows, **options) -> bytes:
    return b"".join(writer(iter(rows), ExportOptions(**options)))


def test_csv_exact_bytes():
    assert written(write_csv, [CHAIR, LAMP]) == (
        b"ID,TITLE,PRICE,CONDITION,DESCRIPTION,CATEGORY,OFFER SHIPPING\r\n"
        b'7,Oak chair,45.00,Used - Good,"Solid oak, ""as new""",Furniture//Chairs,No\r\n'
        b"12,Lamp,1299.50,New,,,Yes\r\n"
    )


def test_csv_bom_only_when_asked():
    assert written(write_csv, [CHAIR], bom=True).startswith(b"\xef\xbb\xbfID,TITLE,")
    assert written(write_csv, [CHAIR]).startswith(b"ID,TITLE,")
    assert (
        written(write_csv, [], bom=True)
        == b"\xef\xbb\xbfID,TITLE,PRICE,CONDITION,DESCRIPTION,CATEGORY,OFFER SHIPPING\r\n"
    )


def test_text_is_tab_separated_and_quotes_only_what_needs_it():
    assert written(write_text, [CHAIR, (3, "Two\tcols", Decimal("1.00"), "New", "a\nb", "", False)]) == (
        b"ID\tTITLE\tPRICE\tCONDITION\tDESCRIPTION\tCATEGORY\tOFFER SHIPPING\r\n"
        b'7\tOak chair\t45.00\tUsed - Good\t"Solid oak, ""as new"""\tFurniture//Chairs\tNo\r\n'
        b'3\t"Two\tcols"\t1.00\tNew\t"a\nb"\t\tNo\r\n'
    )


@pytest.mark.parametrize("writer, dialect", [(write_csv, "excel"), (write_text, "excel-tab")])
def test_delimited_hostile_strings_read_back_unchanged(writer, dialect):
    rows = [
        (number, text, Decimal("2.00"), "New", text, "Cat", True)
        for number, text in enumerate(HOSTILE_STRINGS, start=1)
        if text[0] not in "=+-@\t\r"
    ]
    read = list(csv.reader(io.StringIO(written(writer, rows).decode(), newline=""), dialect=dialect))
    assert read[0] == list(COLUMNS)
    assert [(r[1], r[4]) for r in read[1:]] == [(row[1], row[4]) for row in rows]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_injection_neutralised_in_csv_and_text(text):
    for writer, dialect in ((write_csv, "excel"), (write_text, "excel-tab")):
        row = (1, text, Decimal("5.00"), "New", text, text, False)
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
    assert data == [
        {
            "id": 7,
            "title": "Oak chair",
            "price": "45.00",
            "condition": "Used - Good",
            "description": 'Solid oak, "as new"',
            "category": "Furniture//Chairs",
            "offer_shipping": False,
        },
        {
            "id": 12,
            "title": "Lamp",
            "price": "1299.50",
            "condition": "New",
            "description": "",
            "category": "",
            "offer_shipping": True,
        },
    ]
    assert list(data[0]) == ["id", "title", "price", "condition", "description", "category", "offer_shipping"]
    assert json.loads(written(write_json, [])) == []


def test_json_keeps_hostile_strings_and_writes_utf8():
    rows = [(n, text, Decimal("1.00"), "New", text, text, False) for n, text in enumerate(HOSTILE_STRINGS)]
    body = written(write_json, rows)
    assert "😀".encode() in body  # not \\ud83d escapes
    assert [item["description"] for item in json.loads(body)] == list(HOSTILE_STRINGS)


def _xlsx(rows):
    return openpyxl.load_workbook(io.BytesIO(written(write_xlsx, rows)))


def test_xlsx_shape_header_widths_frozen_and_types():
    sheet = _xlsx([CHAIR, LAMP]).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["A1"].fill.fgColor.rgb.endswith("1877F2")
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFG"] == pytest.approx(
        [10.71, 40.71, 12.71, 18.71, 60.71, 45.71, 16.71], abs=0.01
    )
    assert [cell.value for cell in sheet[2]] == [
        7,
        "Oak chair",
        45,
        "Used - Good",
        'Solid oak, "as new"',
        "Furniture//Chairs",
        "No",
    ]
    assert [cell.value for cell in sheet[3]] == [12, "Lamp", 1299.5, "New", None, None, "Yes"]
    assert sheet["C3"].data_type == "n" and sheet["C3"].number_format == "0.00"
    assert sheet.max_row == 3


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_injection_neutralised_in_xlsx(text):
    sheet = _xlsx([(1, text, Decimal("5.00"), "New", text, "Cat", False)]).active
    for ref in ("B2", "E2"):
        cell = sheet[ref]
        # A string cell (never a formula), marked so Excel keeps showing it as text.
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    assert sheet["D2"].quotePrefix is False
    assert sheet["A2"].data_type == sheet["C2"].data_type == "n"


def test_xlsx_keeps_hostile_strings():
    rows = [(n, text, Decimal("1.00"), "New", text, "", False) for n, text in enumerate(HOSTILE_STRINGS)]
    sheet = _xlsx(rows).active
    # openpyxl leaves OOXML's _xHHHH_ escapes (for CR, and for text that looks like one) in place.
    assert [unescape(row[4]) for row in sheet.iter_rows(min_row=2, values_only=True)] == list(HOSTILE_STRINGS)
