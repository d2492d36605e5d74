"""Facebook bulk-upload files: the template intact, listings from row 5, 50 per file."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

from exports.columns import export_row
from exports.facebook import (
    LISTING_SHEET_PART,
    TEMPLATE_PATH,
    facebook_workbook,
    whole_dollars,
    write_facebook,
)
from exports.tests.conftest import HOSTILE_STRINGS
from exports.writers import ExportOptions

TEMPLATE_ROWS = [
    ("Facebook Marketplace Bulk Upload Template", None, None, None, None, None),
    (
        "You can create up to 50 listings at once. When you are finished, be sure to save or export "
        "this as an XLS/XLSX file.",
        None,
        None,
        None,
        None,
        None,
    ),
    (
        "REQUIRED | Plain text (up to 150 characters",
        "REQUIRED | A whole number in $",
        'REQUIRED | Supported values: "New"; "Used - Like New"; "Used - Good"; "Used - Fair"',
        "OPTIONAL | Plain text (up to 5000 characters)",
        "OPTIONAL | Type of listing",
        "OPTIONAL | ",
    ),
    ("TITLE", "PRICE", "CONDITION", "DESCRIPTION", "CATEGORY", "OFFER SHIPPING"),
]


def listing_row(number: int, **fields):
    values = {
        "id": number,
        "title": f"Chair {number}",
        "price": Decimal("45.00"),
        "condition": "Used - Good",
        "description": f"Description {number}",
        "category": "Furniture//Chairs",
        "offer_shipping": number % 2 == 0,
    } | fields
    return export_row(values.pop("id"), values)


def open_book(data: bytes) -> openpyxl.Workbook:
    assert_parts_unchanged(data)
    return openpyxl.load_workbook(io.BytesIO(data))


def assert_parts_unchanged(data: bytes) -> None:
    """Every part of Facebook's file but the listing sheet is byte for byte the same,
    and in the sheet everything up to row 5 and after the rows is Facebook's."""
    template = zipfile.ZipFile(TEMPLATE_PATH)
    made = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(made.namelist()) == sorted(template.namelist())
    for name in template.namelist():
        if name != LISTING_SHEET_PART:
            assert made.read(name) == template.read(name), name
    original, ours = template.read(LISTING_SHEET_PART), made.read(LISTING_SHEET_PART)
    head = original[: original.index(b'<row r="5"')].replace(b'<dimension ref="A1:I5"/>', b"")
    tail = original[original.index(b"</sheetData>") :]
    assert ours.replace(re.search(rb'<dimension ref="[^"]*"/>', ours).group(), b"").startswith(head)
    assert ours.endswith(tail)


def assert_template_intact(book: openpyxl.Workbook) -> None:
    template = openpyxl.load_workbook(TEMPLATE_PATH)
    sheet, validation = book.worksheets
    assert [ws.title for ws in book.worksheets] == ["Bulk Upload Template", "VALIDATION"]
    assert [row[:6] for row in sheet.iter_rows(min_row=1, max_row=4, values_only=True)] == TEMPLATE_ROWS
    # Styles, heights and widths of the title, instruction and header rows.
    for ref in ("A1", "A2", "A3", "F3", "A4", "F4"):
        assert repr(sheet[ref].font) == repr(template.active[ref].font)
        assert repr(sheet[ref].fill) == repr(template.active[ref].fill)
    assert [sheet.row_dimensions[n].height for n in (2, 3, 4)] == [42, 33, 26]
    assert [sheet.column_dimensions[c].width for c in "ABCDEF"] == [40] * 6
    # The dropdowns still point at the hidden lists.
    assert sorted((str(dv.sqref), dv.type, dv.formula1) for dv in sheet.data_validations.dataValidation) == [
        ("C5:C1048576", "list", "VALIDATION!$A$3:$D$3"),
        ("E5:E1048576", "list", "VALIDATION!$A$5:$BSX$5"),
    ]
    assert validation.sheet_state == "hidden"
    template_validation = template["VALIDATION"]
    assert list(validation.values) == list(template_validation.values)
    assert [c.value for c in validation[3][:4]] == ["New", "Used - Like New", "Used - Good", "Used - Fair"]
    assert sum(1 for cell in validation[5] if cell.value) == 1870  # A5:BSX5


def listings_in(book: openpyxl.Workbook) -> list[tuple]:
    return [row[:6] for row in book.worksheets[0].iter_rows(min_row=5, values_only=True)]


def test_template_rows_validations_and_hidden_sheet_intact_with_listings_from_row_5():
    rows = [listing_row(1), listing_row(2, description="", category="")]
    book = open_book(facebook_workbook(rows))
    assert_template_intact(book)
    # Facebook's example row is gone; ours start at row 5.
    assert listings_in(book) == [
        ("Chair 1", 45, "Used - Good", "Description 1", "Furniture//Chairs", "No"),
        ("Chair 2", 45, "Used - Good", None, None, "Yes"),
    ]
    assert book.worksheets[0]["B5"].data_type == "n"


def test_no_listings_gives_the_bare_template():
    book = open_book(facebook_workbook([]))
    assert_template_intact(book)
    assert book.worksheets[0].max_row == 4


@pytest.mark.parametrize(
    "price, whole",
    [("0.00", 0), ("0.49", 0), ("0.50", 1), ("19.49", 19), ("19.50", 20), ("19.99", 20), ("1299.00", 1299)],
)
def test_price_rounds_to_nearest_whole_dollar_halves_up(price, whole):
    assert whole_dollars(Decimal(price)) == whole
    sheet = open_book(facebook_workbook([listing_row(1, price=Decimal(price))])).worksheets[0]
    assert sheet["B5"].value == whole and isinstance(sheet["B5"].value, int)


def test_hostile_strings_survive_and_stay_text():
    rows = [listing_row(n, title=text[:150], description=text) for n, text in enumerate(HOSTILE_STRINGS)]
    rows.append(listing_row(99, title='=HYPERLINK("http://evil")', description="+1"))
    data = facebook_workbook(rows)
    sheet = open_book(data).worksheets[0]
    got = [(unescape(row[0]), unescape(row[3])) for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert got == [(row[1], row[4]) for row in rows]
    assert sheet[f"A{5 + len(HOSTILE_STRINGS)}"].data_type == "s"  # a string, never a formula
    # Calamine (what the importer reads with) undoes OOXML's escapes itself.
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [(r[0], r[3]) for r in calamine[4:]] == [(row[1], row[4]) for row in rows]


def test_fifty_listings_make_one_file():
    chunks = list(write_facebook(iter([listing_row(n) for n in range(50)]), ExportOptions()))
    book = open_book(b"".join(chunks))
    assert len(listings_in(book)) == 50


def test_more_than_fifty_make_a_zip_of_fifty_row_files_in_order():
    rows = [listing_row(n) for n in range(1, 121)]
    options = ExportOptions(zipped=True, stem="marketplace-listings-20260101-120000")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(write_facebook(iter(rows), options))))
    assert archive.testzip() is None
    assert archive.namelist() == [f"marketplace-listings-20260101-120000-{n:03d}.xlsx" for n in (1, 2, 3)]
    titles = []
    for name, expected in zip(archive.namelist(), (50, 50, 20), strict=True):
        book = open_book(archive.read(name))
        assert_template_intact(book)
        found = listings_in(book)
        assert len(found) == expected
        titles += [row[0] for row in found]
    assert titles == [f"Chair {n}" for n in range(1, 121)]


def test_more_than_fifty_rows_refused_for_one_file():
    with pytest.raises(ValueError, match="50"):
        facebook_workbook([listing_row(n) for n in range(51)])
