"""The columns of the seller's own files (csv, text, xlsx, json, sql): the listing id,
then every field of ``listings.fields.LISTING_FIELDS`` in order, each with the kind
that says how a writer spells it. A field added to the listing appears in every one
of these files, written by the Python writers and by PostgreSQL alike. Facebook's
file has Facebook's own columns (``exports.facebook``)."""

from dataclasses import dataclass
from enum import Enum

from django.db import models

from listings.fields import FACEBOOK_FIELDS
from listings.models import Listing


class Kind(Enum):
    INTEGER = "integer"
    # A price: "45.00" as the database keeps it (a string in JSON, as the API gives it).
    DECIMAL = "decimal"
    # Neutralised in the files people open in a spreadsheet (marketplace.formulas).
    TEXT = "text"
    # "Yes" / "No" in files, true / false in JSON.
    FLAG = "flag"


@dataclass(frozen=True)
class ExportColumn:
    # The listing field, and the key of the JSON export.
    name: str
    # The header of csv, text and xlsx: "OFFER SHIPPING", which the import maps back.
    header: str
    kind: Kind


def _kind(field: models.Field) -> Kind:
    if isinstance(field, models.BooleanField):
        return Kind.FLAG
    if isinstance(field, models.DecimalField):
        return Kind.DECIMAL
    if isinstance(field, models.IntegerField):
        return Kind.INTEGER
    return Kind.TEXT


def _column(name: str) -> ExportColumn:
    return ExportColumn(name, name.replace("_", " ").upper(), _kind(Listing._meta.get_field(name)))


# The marketplace fields for now: the json, sql and xlsx writers still spell these
# six by position (the inventory fields join when they follow EXPORT_COLUMNS too).
EXPORT_COLUMNS: tuple[ExportColumn, ...] = tuple(_column(name) for name in ("id", *FACEBOOK_FIELDS))
