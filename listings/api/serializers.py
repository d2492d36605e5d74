"""Shapes of the listing API, for the OpenAPI schema and for JSON output.

Validation of listing fields is ``listings.validation`` (through the services);
these serializers only describe requests and responses. Lists are built as
plain dicts from ``.values()`` (``listing_json``): per-object DRF serialisation
of 500 rows costs more than the query that fetched them.
"""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from listings.fields import LISTING_FIELDS, Condition, Source
from listings.services.find_replace import FIND_REPLACE_FIELDS

# What a listing looks like in the API, in this order.
LISTING_COLUMNS = ("id", *LISTING_FIELDS, "source", "version", "created_at", "updated_at", "warnings")


def listing_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ``Listing.objects.values(*LISTING_COLUMNS)`` row as the API shows it."""
    out = {name: row[name] for name in LISTING_COLUMNS}
    price: Decimal = row["price"]
    out["price"] = f"{price:.2f}"
    return out


class ListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.CharField(help_text='Decimal string, e.g. "150.00".')
    condition = serializers.ChoiceField(choices=Condition.choices)
    description = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    offer_shipping = serializers.BooleanField()
    source = serializers.ChoiceField(choices=Source.choices)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    warnings = serializers.ListField(child=serializers.CharField())


class ListingInputSerializer(serializers.Serializer):
    """Listing fields as sent; every value is cleaned by ``listings.validation``."""

    title = serializers.CharField(max_length=150)
    price = serializers.CharField(help_text='A price: 150, "150.00" or "$1,299.00".')
    condition = serializers.CharField(
        required=False, help_text="New, Used - Like New, Used - Good, Used - Fair."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    offer_shipping = serializers.BooleanField(required=False, help_text='Also "Yes"/"No".')


class ListingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="On the first page, or with count=true.")
    first = serializers.URLField()
    last = serializers.URLField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ListingSerializer(many=True)


class BulkItemSerializer(ListingInputSerializer):
    id = serializers.IntegerField(required=False, help_text="Update this listing; without it, create one.")
    version = serializers.IntegerField(required=False, help_text="The version you read (optional check).")
    source = serializers.ChoiceField(choices=Source.choices, required=False, help_text="New listings only.")
    extra = serializers.DictField(required=False, help_text="Columns we do not model; new listings only.")
    title = serializers.CharField(max_length=150, required=False)
    price = serializers.CharField(required=False)


class BulkUpsertSerializer(serializers.Serializer):
    items = BulkItemSerializer(many=True)


class BulkUpsertResultSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField())
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class ListingFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False)
    condition = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    offer_shipping = serializers.BooleanField(required=False)
    source = serializers.CharField(required=False)
    price_min = serializers.CharField(required=False)
    price_max = serializers.CharField(required=False)
    has_warnings = serializers.BooleanField(required=False)


class SelectionSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    filter = ListingFilterSerializer(
        required=False, help_text="The list's filters; {} selects every listing."
    )


class PriceAdjustSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class BulkPatchSerializer(SelectionSerializer):
    set = ListingInputSerializer(partial=True, required=False)
    price_adjust = PriceAdjustSerializer(required=False)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class FindReplaceSerializer(SelectionSerializer):
    fields = serializers.ListField(child=serializers.ChoiceField(choices=FIND_REPLACE_FIELDS), required=False)
    field = serializers.CharField(required=False, help_text="One field, instead of ``fields``.")
    find = serializers.CharField()
    replace = serializers.CharField(allow_blank=True)
    match_case = serializers.BooleanField(default=False)
    whole_word = serializers.BooleanField(default=False)
    regex = serializers.BooleanField(default=False)
    preview = serializers.BooleanField(default=False)


class FindReplaceChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class FindReplaceResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    changes = FindReplaceChangeSerializer(many=True, required=False)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    changes = serializers.DictField(help_text="field: [before, after]")
    batch = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()


class HistorySerializer(serializers.Serializer):
    results = HistoryEntrySerializer(many=True)


class RevertSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text="A history entry id: the listing goes back to before it.")


class UndoResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    listings = serializers.IntegerField()
    undo = serializers.IntegerField(help_text="Steps left to undo.")
    redo = serializers.IntegerField(help_text="Steps left to redo.")
