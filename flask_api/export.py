"""``POST /api/export/{text,csv,json,xlsx,sql}`` as the Flask system answered.

The body names the listings by ``listing_ids`` (none: all of the user's), or, as the
system's documentation shows, carries the ``listings`` themselves, which are exported
as given after the listing rules clean them. Nothing to export is a 404 ``{error}``.
The selection is the Export dialog's form, the file comes from ``exports.services``."""

from collections.abc import Mapping
from functools import partial
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from exports.api import FileContentNegotiation
from exports.columns import export_row
from exports.formats import FORMATS, XLSX_CONTENT_TYPE, ExportFormat
from exports.forms import ExportForm
from exports.postgres import copy_xlsx
from exports.selectors import listings_for_export
from exports.services import listings_export, rows_export
from exports.views import export_response
from exports.writers import write_json_columns, write_sql_statements, write_xlsx
from flask_api.base import FlaskView, body, listing_invalid_details
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput
from marketplace.ratelimits import rate_limited

SQL_CONTENT_TYPE = "application/sql; charset=utf-8"
# What each Flask path wrote: the stored listings, and the listings sent in the body.
FLASK_FORMATS: dict[str, tuple[ExportFormat, ExportFormat]] = {
    "text": (FORMATS["text"],) * 2,
    "csv": (FORMATS["csv"],) * 2,
    "json": (
        ExportFormat("json", "JSON (Facebook's columns)", "json", "application/json", write_json_columns),
    )
    * 2,
    "xlsx": (
        ExportFormat(
            "xlsx",
            "Excel (xlsx)",
            "xlsx",
            XLSX_CONTENT_TYPE,
            partial(write_xlsx, sheet_title="Marketplace Listings"),
            write_listings=partial(copy_xlsx, sheet_title="Marketplace Listings"),
        ),
    )
    * 2,
    "sql": (
        ExportFormat(
            "sql",
            "SQL INSERT statements",
            "sql",
            SQL_CONTENT_TYPE,
            partial(write_sql_statements, table="marketplace_listings", with_id=True),
        ),
        ExportFormat(
            "sql",
            "SQL INSERT statements",
            "sql",
            SQL_CONTENT_TYPE,
            partial(write_sql_statements, table="listings", with_id=False),
        ),
    ),
}
NOTHING = "No listings found"


class FlaskExportSerializer(serializers.Serializer):
    listing_ids = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Your listings to export; none: all of them."
    )
    listings = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Listings to export as given (not stored)."
    )


def _given_rows(items: Any) -> list[tuple]:
    if not isinstance(items, list):
        raise ValidationError({"listings": ["A list of listing objects."]})
    rows, errors = [], []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.append(FieldError("_schema", "Each listing is an object.", index))
            continue
        try:
            cleaned = clean_listing(item)
        except InvalidInput as exc:
            errors += [FieldError(error.field, error.message, index) for error in exc.errors]
            continue
        # Not stored, so no id (export rows start with the listing's id).
        rows.append(export_row(None, cleaned))
    if errors:
        raise ValidationError(listing_invalid_details(InvalidInput(errors)))
    if not rows:
        raise NotFound(NOTHING)
    return rows


def _export(request: Request, name: str):
    stored_format, given_format = FLASK_FORMATS[name]
    data = body(request)
    if data.get("listings") is not None:
        return export_response(
            rows_export(rows=_given_rows(data["listings"]), export_format=given_format, actor=request.user)
        )
    ids = data.get("listing_ids") or []
    form = ExportForm(
        {"export_format": stored_format.name, "scope": "selected" if ids else "all", "ids": ids}
    )
    if not form.is_valid():
        raise ValidationError(
            {
                "listing_ids" if field == "ids" else field: list(errors)
                for field, errors in form.errors.items()
            }
        )
    listings = listings_for_export(request.user, **form.selection())
    if not listings.exists():
        raise NotFound(NOTHING)
    return export_response(
        listings_export(listings=listings, export_format=stored_format, actor=request.user)
    )


def export_view(name: str) -> type[FlaskView]:
    content_type = FLASK_FORMATS[name][0].content_type

    class ExportView(FlaskView):
        content_negotiation_class = FileContentNegotiation

        @extend_schema(
            summary=f"Export listings as {name}",
            request=FlaskExportSerializer,
            responses={(200, content_type): OpenApiTypes.ANY if name == "json" else OpenApiTypes.BINARY},
        )
        @rate_limited("exports")
        def post(self, request: Request):
            return _export(request, name)

    ExportView.__name__ = ExportView.__qualname__ = f"{name.title()}ExportView"
    return ExportView
