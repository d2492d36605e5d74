"""Exported files re-import into identical listings: csv, xlsx and Facebook through
the spreadsheet import, JSON through the API's bulk upsert (the import takes
spreadsheets only)."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from exports.formats import FORMATS
from exports.services import listings_export
from imports.models import Import
from imports.services import import_commit, import_create
from listings.fields import LISTING_FIELDS
from listings.models import Listing
from listings.selectors import listings_for_user
from listings.services.bulk import listings_bulk_upsert
from listings.services.changes import listing_create

pytestmark = pytest.mark.django_db

# Values a seller really types; whole prices so Facebook's whole-number PRICE is exact.
# (Text that starts with = + - @ is left out on purpose: csv and text exports prefix it
# with an apostrophe so spreadsheets show it as text, a documented one-way change.)
SOURCE_ROWS = [
    {
        "title": "O'Brien's \"quoted\" chair",
        "price": "45",
        "condition": "Used - Good",
        "description": "line one\nline two, with a comma\n\nafter a blank line",
        "category": "Furniture//Dining Room Furniture//Dining Chairs",
        "offer_shipping": True,
    },
    {
        "title": "naïve café — 日本語 emoji 😀👍🏽",
        "price": "1299",
        "condition": "New",
        "description": "tab\tinside; semicolon; back\\slash",
        "category": "Cell Phones & Accessories//Cell Phone Accessories//Chargers & Cradles",
        "offer_shipping": False,
    },
    {
        "title": "Plain lamp",
        "price": "0",
        "condition": "Used - Like New",
        "description": "",
        "category": "",
        "offer_shipping": False,
    },
]


def field_values(user) -> list[tuple]:
    return sorted(listings_for_user(user).values_list(*LISTING_FIELDS))


@pytest.fixture
def exported(owner):
    for row in SOURCE_ROWS:
        listing_create(owner=owner, data=row)

    def export(format_name: str) -> tuple[str, bytes]:
        export_file = listings_export(
            listings=listings_for_user(owner).order_by("id"),
            export_format=FORMATS[format_name],
            actor=owner,
            # Facebook's file holds only ready listings unless asked: "Plain lamp" is not.
            include_all=True,
        )
        return export_file.filename, b"".join(export_file.chunks)

    return export


@pytest.mark.parametrize("format_name", ["csv", "xlsx", "facebook"])
def test_spreadsheet_exports_reimport_identically(format_name, exported, owner, other_user):
    name, data = exported(format_name)
    upload = import_create(owner=other_user, files=[SimpleUploadedFile(name, data)])
    assert upload.counts["invalid"] == 0, upload.errors
    import_commit(upload=upload, actor=other_user)
    assert field_values(other_user) == field_values(owner)
    assert Listing.objects.filter(owner=other_user).count() == len(SOURCE_ROWS)


def test_json_export_reloads_through_bulk_upsert_identically(exported, owner, other_user):
    _, data = exported("json")
    items = [{field: item[field] for field in LISTING_FIELDS if field in item} for item in json.loads(data)]
    assert all(isinstance(item["price"], str) for item in items)
    listings_bulk_upsert(owner=other_user, items=items, actor=other_user)
    assert field_values(other_user) == field_values(owner)


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_a_sold_listing_keeps_its_sale_through_export_and_import(format_name, exported, owner, other_user):
    sold_on = datetime(2026, 10, 3, 14, 5, 9, tzinfo=UTC)
    with time_machine.travel(sold_on, tick=False):
        listing_create(owner=owner, data={**SOURCE_ROWS[0], "status": "sold", "sold_price": "40"})
    name, data = exported(format_name)

    # Into another account: new listings, the sale and its date as they were.
    copied = import_create(owner=other_user, files=[SimpleUploadedFile(name, data)])
    assert copied.counts["invalid"] == 0, copied.errors
    import_commit(upload=copied, actor=other_user)
    assert sold_values(other_user) == sold_values(owner) == [("sold", Decimal("40.00"), sold_on)]

    # Back into the seller's own: an export of theirs updates in place, and nothing changed.
    again = import_create(owner=owner, files=[SimpleUploadedFile(name, data)], mode=None)
    assert again.mode == Import.Mode.UPDATE_MATCHING
    assert again.counts["unchanged"] == len(SOURCE_ROWS) + 1, again.errors


def sold_values(user) -> list[tuple]:
    return list(listings_for_user(user).filter(status="sold").values_list("status", "sold_price", "sold_at"))
