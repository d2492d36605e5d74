"""What an export request may say, for the API and the Export dialog alike.

``ids``, ``filter`` and ``ordering`` come from a query string, a form or a JSON
body, so each field takes a list, a comma-separated string or (``filter``) an object.
"""

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db import models
from django.http import QueryDict

from exports.formats import FORMATS
from listings.forms import ListingIdsField
from listings.readiness import FACEBOOK


class Scope(models.TextChoices):
    ALL = "all", "All my listings"
    FILTER = "filter", "The grid's current filter and sort"
    SELECTED = "selected", "Selected listings"


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


class IdListField(ListingIdsField):
    """Listing ids: ``[1, 2]``, ``"1,2"`` or ``ids=1&ids=2``; the grid's selection rule."""

    def to_python(self, value: Any) -> list[int]:
        parts = []
        for item in _as_list(value):
            parts += [part for part in item.split(",") if part.strip()] if isinstance(item, str) else [item]
        return super().to_python(parts)


class OrderingField(forms.Field):
    """The grid's sort: ``"price,-title"`` or ``["price", "-title"]``."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> str:
        items = _as_list(value)
        if not all(isinstance(item, str) for item in items):
            raise forms.ValidationError("The ordering must be field names, such as “price,-title”.")
        return ",".join(item.strip() for item in items if item.strip())


class FilterField(forms.Field):
    """The grid's filter: an object, a JSON object, or the grid's query string
    (``q=chair&condition=New``); names are those of ``listings_filtered``."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> dict[str, str]:
        if value in self.empty_values:
            return {}
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                try:
                    value = json.loads(text)
                # A filter is one flat object; the decoder recurses once per "[" or "{".
                except (json.JSONDecodeError, RecursionError) as exc:
                    raise forms.ValidationError("The filter is not valid JSON.") from exc
            else:
                value = QueryDict(text.removeprefix("?"))
        if not isinstance(value, Mapping):
            raise forms.ValidationError("The filter must be an object or a query string.")
        filters = {}
        for name, item in value.items():
            if isinstance(item, bool):
                item = "true" if item else "false"
            if not isinstance(item, (str, int, float)):
                raise forms.ValidationError(f"The filter “{name}” must be a single value.")
            filters[str(name)] = str(item)
        return filters


class ExportForm(forms.Form):
    export_format = forms.ChoiceField(
        label="Format",
        choices=[(export_format.name, export_format.label) for export_format in FORMATS.values()],
        widget=forms.RadioSelect,
    )
    bom = forms.BooleanField(label="Add a byte-order mark (CSV and text, for Excel)", required=False)
    include = forms.ChoiceField(
        label="Marketplace files",
        choices=[("ready", "Only listings ready for the marketplace"), ("all", "All listings, ready or not")],
        required=False,
    )
    photos = forms.BooleanField(
        label="Include the photos (Facebook: a zip with a photos/ folder and manifest.csv)", required=False
    )
    scope = forms.ChoiceField(
        label="Listings", choices=Scope.choices, required=False, widget=forms.RadioSelect
    )
    ids = IdListField(required=False)
    filter = FilterField(required=False)
    ordering = OrderingField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == Scope.SELECTED and not cleaned.get("ids") and "ids" not in self.errors:
            self.add_error("ids", "Select at least one listing to export.")
        if scope in (Scope.ALL, Scope.SELECTED):
            cleaned["filter"] = {}
        if scope in (Scope.ALL, Scope.FILTER):
            cleaned["ids"] = []
        cleaned["include_all"] = cleaned.get("include") == "all"
        if cleaned.get("photos") and cleaned.get("export_format") not in (None, FACEBOOK):
            self.add_error("photos", "Photos are bundled with Facebook's bulk-upload file only.")
        return cleaned

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for ``exports.selectors.listings_for_export``."""
        return {
            "ids": self.cleaned_data["ids"] or None,
            "filters": self.cleaned_data["filter"],
            "ordering": self.cleaned_data["ordering"],
        }
