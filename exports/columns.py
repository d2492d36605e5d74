"""The columns of the seller's own files (csv, text, xlsx, json, sql, and the rows
every writer reads): the listing id, then every field of
``listings.fields.STORED_FIELDS`` in order (``sold_at`` among them), each with the
kind that says how a writer spells it and its width in a spreadsheet. This is the
one place a listing field joins the exports: a field added to the listing appears in
every one of these files, written by the Python writers and by PostgreSQL alike.
Marketplaces' files (Facebook's, eBay's, …) have their own columns and read the
fields they need from these rows by name; the seller's private fields
(``listings.fields.PRIVATE_FIELDS``) are never among them."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.db import models

from listings.fields import STORED_FIELDS
from listings.models import Listing


class Kind(Enum):
    INTEGER = "integer"
    # A price: "45.00" as the database keeps it (a string in JSON, as the API gives it).
    DECIMAL = "decimal"
    # Neutralised in the files people open in a spreadsheet (marketplace.formulas).
    TEXT = "text"
    # "Yes" / "No" in files, true / false in JSON.
    FLAG = "flag"
    # A moment, in UTC to the second: "2026-12-01T18:33:17Z" (empty when not set).
    DATETIME = "datetime"


# A spreadsheet column's width (characters) by field, else by kind.
_WIDTHS = {
    "id": 10,
    "title": 40,
    "price": 12,
    "condition": 18,
    "description": 60,
    "category": 45,
    "offer_shipping": 16,
    "sku": 16,
    "notes": 40,
    "brand": 20,
    "ebay_category_id": 16,
    "product_link": 40,
}
_KIND_WIDTHS = {Kind.INTEGER: 10, Kind.DECIMAL: 12, Kind.TEXT: 20, Kind.FLAG: 16, Kind.DATETIME: 22}


@dataclass(frozen=True)
class ExportColumn:
    # The listing field, and the key of the JSON export.
    name: str
    # The header of csv, text and xlsx: "OFFER SHIPPING", which the import maps back.
    header: str
    kind: Kind
    # Its width in an xlsx sheet.
    width: int
    # What the row holds when a listing does not say (listings a client sends).
    default: Any
    # The model field (types, lengths and NULLs for the SQL script).
    field: models.Field


def _kind(field: models.Field) -> Kind:
    if isinstance(field, models.BooleanField):
        return Kind.FLAG
    if isinstance(field, models.DecimalField):
        return Kind.DECIMAL
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return Kind.INTEGER
    if isinstance(field, models.DateTimeField):
        return Kind.DATETIME
    return Kind.TEXT


def _column(name: str) -> ExportColumn:
    field = Listing._meta.get_field(name)
    kind = _kind(field)
    default = None if name == "id" else field.get_default()
    # Choices' defaults as their plain value ("ready"), as the database gives it.
    default = default.value if isinstance(default, Enum) else default
    return ExportColumn(
        name, name.replace("_", " ").upper(), kind, _WIDTHS.get(name, _KIND_WIDTHS[kind]), default, field
    )


EXPORT_FIELDS: tuple[str, ...] = ("id", *STORED_FIELDS)
EXPORT_COLUMNS: tuple[ExportColumn, ...] = tuple(_column(name) for name in EXPORT_FIELDS)
# Where each field sits in a row: writers that need a few fields read them by name.
POSITION: dict[str, int] = {name: index for index, name in enumerate(EXPORT_FIELDS)}


def export_row(listing_id: int | None, values: Mapping[str, Any]) -> tuple:
    """A row of ``EXPORT_COLUMNS`` from a listing's ``values`` (by field name); a
    field not given holds the listing's default. ``listing_id`` None: not stored."""
    return (listing_id, *(values.get(column.name, column.default) for column in EXPORT_COLUMNS[1:]))
