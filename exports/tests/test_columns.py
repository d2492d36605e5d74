"""Every file of the seller's own (csv, text, xlsx, json, sql, the account backup)
carries every export column; no marketplace's file carries the private notes."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from exports.backup import account_backup_create
from exports.columns import EXPORT_COLUMNS
from exports.formats import FORMATS
from exports.selectors import listings_for_export
from exports.services import listings_export
from exports.writers import COLUMNS, JSON_KEYS, SQL_INSERT
from listings.fields import STORED_FIELDS
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

NOTE = "private-note-7f3a"
SOLD_AT = datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)


@pytest.fixture
def sold(owner):
    """A listing with every field set, its note a marker no other value holds."""
    return ListingFactory(
        owner=owner,
        title="Oak chair",
        price=Decimal("45.00"),
        description="Solid oak.",
        offer_shipping=True,
        status="sold",
        sku="OAK-1",
        quantity=3,
        sold_at=SOLD_AT,
        sold_price=Decimal("40.50"),
        notes=NOTE,
    )


def _export(owner, name: str) -> bytes:
    export = listings_export(
        listings=listings_for_export(owner), export_format=FORMATS[name], actor=owner, include_all=True
    )
    return b"".join(export.chunks)


# How each file spells the sold listing's inventory values.
SPELT = {"status": "sold", "sku": "OAK-1", "quantity": "3", "sold_price": "40.50", "notes": NOTE}


@pytest.mark.parametrize("name, dialect", [("csv", "excel"), ("text", "excel-tab")])
def test_delimited_files_carry_every_column(sold, owner, name, dialect):
    header, row = csv.reader(io.StringIO(_export(owner, name).decode(), newline=""), dialect=dialect)
    assert header == list(COLUMNS)
    values = dict(zip(JSON_KEYS, row, strict=True))
    assert {name: values[name] for name in SPELT} == SPELT
    assert values["sold_at"] == "2026-11-30T09:15:02Z"


def test_xlsx_carries_every_column_in_openpyxl_and_calamine(sold, owner):
    data = _export(owner, "xlsx")
    header, row = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    assert list(header) == list(COLUMNS)
    values = dict(zip(JSON_KEYS, row, strict=True))
    assert values["quantity"] == 3 and values["sold_price"] == 40.5
    assert (values["status"], values["sku"], values["notes"]) == ("sold", "OAK-1", NOTE)
    assert values["sold_at"] == "2026-11-30T09:15:02Z"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Listings").to_python()
    assert rows[0] == list(COLUMNS)
    assert dict(zip(JSON_KEYS, rows[1], strict=True))["notes"] == NOTE


def test_json_carries_every_column(sold, owner):
    (item,) = json.loads(_export(owner, "json"))
    assert list(item) == [column.name for column in EXPORT_COLUMNS]
    assert {name: str(item[name]) for name in SPELT} == SPELT
    assert item["sold_at"] == "2026-11-30T09:15:02Z"


def test_sql_carries_every_field(sold, owner):
    script = _export(owner, "sql").decode()
    assert SQL_INSERT.startswith(f"INSERT INTO marketplace_listings ({', '.join(STORED_FIELDS)})")
    assert SQL_INSERT in script
    assert f"'sold', 'OAK-1', 3, 40.50, '{NOTE}', '2026-11-30T09:15:02+00:00'" in script


def test_backup_listings_carry_every_field(sold, owner):
    backup = account_backup_create(user=owner)
    (listing,) = json.loads(zipfile.ZipFile(backup.file).read("listings.json"))
    assert set(STORED_FIELDS) <= set(listing)
    assert {name: str(listing[name]) for name in SPELT} == SPELT


MARKETPLACE_FORMATS = ["facebook", "ebay", "shopify", "woocommerce", "meta-catalog"]


@pytest.mark.parametrize("name", MARKETPLACE_FORMATS)
def test_no_marketplace_file_carries_the_notes(sold, owner, name):
    data = _export(owner, name)
    if name == "facebook":
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [
            value for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        ]
        assert "Oak chair" in cells
        assert not [value for value in cells if isinstance(value, str) and NOTE in value]
    else:
        assert b"Oak chair" in data or b"oak-chair" in data
        assert NOTE.encode() not in data
