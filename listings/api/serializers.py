"""Shapes of the listing API, for the OpenAPI schema and for JSON output.

Input serializers validate requests with the rules of ``listings.validation`` (the
grid's and the admin's forms use the same ones), so the schema is what is checked;
listing field values themselves are cleaned by ``clean_listing`` in the services. Lists are built as
plain dicts from ``.values()`` (``listing_json``): per-object DRF serialisation
of 500 rows costs more than the query that fetched them.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.serializers import AuditChangeSerializer
from listings.fields import (
    BRAND_MAX_LENGTH,
    EBAY_CATEGORY_ID_MAX_LENGTH,
    LISTING_FIELDS,
    PRODUCT_LINK_MAX_LENGTH,
    STORED_FIELDS,
    Condition,
    Source,
    Status,
)
from listings.readiness import MARKETPLACES, readiness_columns
from listings.selectors import FilterError, listings_filtered, listings_for_user
from listings.services.find_replace import FIND_REPLACE_FIELDS
from listings.validation import (
    PERCENT_MAX,
    PERCENT_MIN,
    PRICE_MAX,
    clean_listing_ids,
    clean_price_change,
)
from marketplace.errors import InvalidInput
from marketplace.ids import MAX_ID
from marketplace.pagination import KeysetPageSerializer

# What a listing looks like in the API, in this order.
LISTING_COLUMNS = ("id", *STORED_FIELDS, "source", "version", "created_at", "updated_at", "warnings")


def listing_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ``Listing.objects.values(*LISTING_COLUMNS)`` row as the API shows it."""
    out = {name: row[name] for name in LISTING_COLUMNS}
    price: Decimal = row["price"]
    out["price"] = f"{price:.2f}"
    sold_price: Decimal | None = row["sold_price"]
    out["sold_price"] = None if sold_price is None else f"{sold_price:.2f}"
    return out


def with_readiness(user) -> tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]:
    """The annotations and the ``listing_json`` that add each marketplace's
    ``readiness`` to a listing: ``{"ebay": {"ready": false, "reasons": ["no description"]}, …}``."""
    columns, read = readiness_columns(user)

    def to_json(row: dict[str, Any]) -> dict[str, Any]:
        return {**listing_json(row), "readiness": read(row)}

    return columns, to_json


class MarketplaceReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


ReadinessByMarketplaceSerializer = type(
    "ReadinessByMarketplaceSerializer",
    (serializers.Serializer,),
    {name: MarketplaceReadinessSerializer() for name in MARKETPLACES},
)


class ListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.CharField(help_text='Decimal string, e.g. "150.00".')
    condition = serializers.ChoiceField(choices=Condition.choices)
    description = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    offer_shipping = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Status.choices)
    sku = serializers.CharField(allow_blank=True, help_text="Unique among your listings when set.")
    quantity = serializers.IntegerField(min_value=0)
    sold_price = serializers.CharField(allow_null=True, help_text='Decimal string, e.g. "140.00".')
    notes = serializers.CharField(allow_blank=True, help_text="Private: never in a marketplace's file.")
    brand = serializers.CharField(
        allow_blank=True, help_text="Shopify's Vendor; WooCommerce's, Meta's brand."
    )
    ebay_category_id = serializers.CharField(allow_blank=True, help_text="eBay's *Category: a whole number.")
    product_link = serializers.CharField(
        allow_blank=True, help_text="The item's page on your site (Meta's link)."
    )
    sold_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when the status becomes sold, cleared when it leaves sold."
    )
    source = serializers.ChoiceField(choices=Source.choices)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    warnings = serializers.ListField(child=serializers.CharField())
    readiness = ReadinessByMarketplaceSerializer(
        help_text="Per marketplace: would it take the listing as it is, and if not why."
    )


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
    status = serializers.CharField(
        required=False, help_text="draft, ready (the default), listed, sold, archived."
    )
    sku = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Unique among your listings; blank for none.",
    )
    quantity = serializers.IntegerField(required=False, min_value=0, help_text="Default 1.")
    sold_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    brand = serializers.CharField(required=False, allow_blank=True, max_length=BRAND_MAX_LENGTH)
    ebay_category_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=EBAY_CATEGORY_ID_MAX_LENGTH,
        help_text="eBay's category id, a whole number (e.g. 37908); blank for none.",
    )
    product_link = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=PRODUCT_LINK_MAX_LENGTH,
        help_text="An http:// or https:// address; blank for none.",
    )


class ListingPageSerializer(KeysetPageSerializer):
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
    """The list's filters, as in the grid."""

    # Only the shape is checked here: the values are parsed by listings_filtered,
    # the one filter parser of the grid, exports and the API.

    q = serializers.CharField(required=False)
    condition = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    offer_shipping = serializers.BooleanField(required=False)
    source = serializers.CharField(required=False)
    price_min = serializers.CharField(required=False)
    price_max = serializers.CharField(required=False)
    has_warnings = serializers.BooleanField(required=False)
    status = serializers.CharField(
        required=False,
        help_text="A status or several (listed,sold); all shows archived too (hidden by default).",
    )
    sku = serializers.CharField(required=False, help_text="The listing with this SKU (any case).")
    brand = serializers.CharField(required=False, help_text="Listings of this brand (any case).")
    ebay_category_id = serializers.CharField(required=False, help_text="Listings in this eBay category.")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError('An object of list filters, e.g. {"condition": "New"}.')
        return dict(data)


def _rule(clean: Callable[[], Any]) -> Any:
    """Run one of ``listings.validation``'s rules; its message becomes the field's error."""
    try:
        return clean()
    except InvalidInput as exc:
        raise serializers.ValidationError(exc.messages()) from exc


class ListingIdsField(serializers.ListField):
    """Listing ids, cleaned by ``clean_listing_ids`` (the grid's and exports' rule;
    the cap is ``settings.SELECTION_MAX_IDS``, shown in the schema)."""

    child = serializers.IntegerField(min_value=0, max_value=MAX_ID)

    def to_internal_value(self, data: Any) -> list[int]:
        return _rule(lambda: clean_listing_ids(data))


class ListingIdsSchema(OpenApiSerializerFieldExtension):
    # The cap is a setting: read when the schema is made, not at import.
    target_class = ListingIdsField

    def map_serializer_field(self, auto_schema, direction) -> dict[str, Any]:
        item = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        return {"type": "array", "items": item, "maxItems": settings.SELECTION_MAX_IDS}


class SelectionSerializer(serializers.Serializer):
    """Which listings: ``ids`` (picked one by one), or every listing matching ``filter``."""

    # Valid data carry ``listings``: the user's queryset (``context["request"]``).

    ids = ListingIdsField(required=False)
    filter = ListingFilterSerializer(
        required=False, help_text="The list's filters; {} selects every listing."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if attrs.get("ids") is not None:
            attrs["listings"] = listings_for_user(user).filter(pk__in=attrs["ids"])
        elif attrs.get("filter") is not None:
            try:
                attrs["listings"] = listings_filtered(user, attrs["filter"])
            except FilterError as exc:
                raise serializers.ValidationError({"filter": {exc.field: [exc.message]}}) from exc
        else:
            raise serializers.ValidationError({"ids": ["Give ids or a filter."]})
        return attrs


class PriceChangeField(serializers.DecimalField):
    """A percent or an amount, by the rule of ``clean_price_change``."""

    def __init__(self, kind: str, low: Decimal, high: Decimal, **kwargs) -> None:
        self.kind = kind
        super().__init__(
            max_digits=12, decimal_places=2, min_value=low, max_value=high, required=False, **kwargs
        )

    def to_internal_value(self, data: Any) -> Decimal:
        return _rule(lambda: clean_price_change(**{self.kind: data})[self.kind])


class PriceChangeSchema(OpenApiSerializerFieldExtension):
    target_class = PriceChangeField

    def map_serializer_field(self, auto_schema, direction) -> dict[str, Any]:
        # A JSON number or a decimal string; either way at most 2 decimals.
        bounds = {"minimum": float(self.target.min_value), "maximum": float(self.target.max_value)}
        number = {"type": "number", "multipleOf": 0.01, **bounds}
        return {"oneOf": [number, {"type": "string", "format": "decimal"}]}


class PriceAdjustSerializer(serializers.Serializer):
    """A percent (-99.99 to 1,000) or an amount, with at most 2 decimals; prices stay
    between 0 and the highest price."""

    # The rule of the grid's and the admin's PriceAdjustForm: clean_price_change.

    percent = PriceChangeField("percent", PERCENT_MIN, PERCENT_MAX, help_text="-10 is 10% off.")
    amount = PriceChangeField("amount", -PRICE_MAX, PRICE_MAX, help_text="Added to each price.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Decimal]:
        return _rule(lambda: clean_price_change(**attrs))


@extend_schema_field(ListingInputSerializer(partial=True))
class ListingValuesField(serializers.DictField):
    """Listing fields to set; the values are cleaned by ``clean_listing`` in the service."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        return {name: values[name] for name in LISTING_FIELDS if name in values}


class BulkPatchSerializer(SelectionSerializer):
    """Set fields (``set``) or change prices (``price_adjust``) on the chosen listings."""

    set = ListingValuesField(required=False, help_text="{field: value}, as in ListingInput.")
    price_adjust = PriceAdjustSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("set" in attrs) == ("price_adjust" in attrs):
            raise serializers.ValidationError(
                {"set": ["Give either set: {field: value} or price_adjust: {percent | amount}."]}
            )
        return super().validate(attrs)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class FindReplaceSerializer(SelectionSerializer):
    """Find and replace text in the chosen listings (``field`` names one column)."""

    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=FIND_REPLACE_FIELDS), required=False, allow_empty=False
    )
    field = serializers.ChoiceField(
        choices=FIND_REPLACE_FIELDS, required=False, help_text="One field, instead of ``fields``."
    )
    find = serializers.CharField(trim_whitespace=False)
    replace = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")
    match_case = serializers.BooleanField(default=False)
    whole_word = serializers.BooleanField(default=False)
    regex = serializers.BooleanField(default=False)
    preview = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "field" in attrs:
            attrs["fields"] = [attrs.pop("field")]
        if not attrs.get("fields"):
            raise serializers.ValidationError({"fields": ['A list of field names, e.g. ["title"].']})
        return super().validate(attrs)


class FindReplaceChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class FindReplaceResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    changes = FindReplaceChangeSerializer(many=True, required=False)


class HistorySerializer(serializers.Serializer):
    results = AuditChangeSerializer(many=True)


class RevertSerializer(serializers.Serializer):
    entry = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, help_text="A history entry id: the listing goes back to before it."
    )


class UndoResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    listings = serializers.IntegerField()
    undo = serializers.IntegerField(help_text="Steps left to undo.")
    redo = serializers.IntegerField(help_text="Steps left to redo.")


class DuplicateGroupSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="Oldest first.")
    reason = serializers.CharField(help_text="same title and price, or similar title, same price.")


class DuplicateGroupsSerializer(serializers.Serializer):
    groups = DuplicateGroupSerializer(many=True)


class DuplicatesArchiveSerializer(serializers.Serializer):
    """Which listing each group keeps (the grid's ticked rows); without ``keep``
    every group keeps its oldest listing. The rest are archived, one undo step."""

    keep = ListingIdsField(required=False)
