"""``/api/listings*`` as the Flask system answered: ``page``/``per_page`` pages,
``offer_shipping`` as "Yes"/"No", ``extra_data``, ``{message, listing}``. Every write
goes through ``listings.services``: validated, audited, undoable."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from exports.writers import yes_no
from flask_api.base import MAX_ID, FlaskView, body, fetch, message_serializer, page, page_serializer
from listings.api.serializers import LISTING_COLUMNS
from listings.fields import FACEBOOK_FIELDS, Condition, Source
from listings.models import Listing
from listings.selectors import listing_get_for_user, listings_for_user
from listings.services.bulk import listings_bulk_delete, listings_bulk_upsert
from listings.services.changes import listing_create, listing_delete, listing_update
from marketplace.errors import FieldError, InvalidInput
from marketplace.input import whole_number
from ocr.selectors import scan_get_for_user

# Flask's bulk endpoints took at most 100 items or ids.
BULK_MAX = 100
NOT_FOUND = "Listing not found"
COLUMNS = (*LISTING_COLUMNS, "owner_id", "ocr_scan_id", "extra")
# Flask's ordering: the order listings were made.
ORDERING = ("created_at", "id")


def listing_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["owner_id"],
        "title": row["title"],
        "price": f"{row['price']:.2f}",
        "condition": row["condition"],
        "description": row["description"],
        "category": row["category"],
        "offer_shipping": yes_no(row["offer_shipping"]),
        "source": row["source"],
        "ocr_scan_id": row["ocr_scan_id"],
        "extra_data": row["extra"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def listings_json(listings: QuerySet[Listing]) -> list[dict[str, Any]]:
    return [listing_json(row) for row in listings.values(*COLUMNS)]


def one_listing_json(listing: Listing) -> dict[str, Any]:
    return listings_json(Listing.objects.filter(pk=listing.pk))[0]


class FlaskListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.CharField(help_text='Decimal string, e.g. "150.00".')
    condition = serializers.ChoiceField(choices=Condition.choices)
    description = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    offer_shipping = serializers.ChoiceField(choices=["Yes", "No"])
    source = serializers.ChoiceField(choices=Source.choices)
    ocr_scan_id = serializers.IntegerField(allow_null=True)
    extra_data = serializers.DictField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FlaskListingInputSerializer(serializers.Serializer):
    """What Flask's ListingCreateSchema took; values are cleaned by ``listings.validation``."""

    title = serializers.CharField(max_length=150)
    price = serializers.CharField(help_text='A price: 150, "150.00" or "$1,299.00".')
    condition = serializers.CharField(
        required=False, help_text="New, Used - Like New, Used - Good, Used - Fair."
    )
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    offer_shipping = serializers.CharField(required=False, allow_null=True, help_text='"Yes" or "No".')
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    ocr_scan_id = serializers.IntegerField(required=False, allow_null=True)
    extra_data = serializers.DictField(required=False, allow_null=True)


class FlaskListingUpdateSerializer(serializers.Serializer):
    """Flask's PUT was partial: any subset of the listing's fields."""

    title = serializers.CharField(max_length=150, required=False)
    price = serializers.CharField(required=False)
    condition = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    offer_shipping = serializers.CharField(required=False, allow_null=True)


class FlaskBulkItemSerializer(FlaskListingInputSerializer):
    id = serializers.CharField(required=False, help_text="Your listing's id: updates it; otherwise creates.")
    title = serializers.CharField(max_length=150, required=False)
    price = serializers.CharField(required=False)


class FlaskBulkSerializer(serializers.Serializer):
    listings = FlaskBulkItemSerializer(many=True, help_text="Or send the array itself as the body.")


class FlaskBulkDeleteSerializer(serializers.Serializer):
    listing_ids = serializers.ListField(child=serializers.CharField())


LISTING_MESSAGE = message_serializer("FlaskListingMessage", listing=FlaskListingSerializer())
MESSAGE = message_serializer("FlaskListingDeleted")


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in FACEBOOK_FIELDS if name in data}


def _scan(request: Request, value: Any, field: str = "ocr_scan_id"):
    if value in (None, ""):
        return None
    if whole_number(value) is None:
        raise ValidationError({field: ["Not a scan id."]})
    try:
        return fetch(scan_get_for_user, request.user, str(value), "")
    except NotFound as exc:
        raise ValidationError({field: ["You have no such OCR scan."]}) from exc


def _source(data: Mapping[str, Any]) -> str:
    source = data.get("source") or Source.API
    if source not in Source.values:
        raise ValidationError({"source": [f"Use one of: {', '.join(Source.values)}."]})
    return source


def _extra(data: Mapping[str, Any]) -> dict[str, Any]:
    extra = data.get("extra_data")
    if extra is not None and not isinstance(extra, Mapping):
        raise ValidationError({"extra_data": ["An object of extra columns."]})
    return dict(extra or {})


class ListingListView(FlaskView):
    @extend_schema(
        operation_id="flask_listings_list",
        parameters=[
            OpenApiParameter("page", int, description="From 1."),
            OpenApiParameter("per_page", int, description="Default 50, at most 100."),
        ],
        responses=page_serializer("FlaskListingPage", "listings", FlaskListingSerializer(many=True)),
    )
    def get(self, request: Request) -> Response:
        listings = listings_for_user(request.user).order_by(*ORDERING)
        return Response(page(request, listings.values(*COLUMNS), listing_json, key="listings"))

    @extend_schema(request=FlaskListingInputSerializer, responses={201: LISTING_MESSAGE})
    def post(self, request: Request) -> Response:
        data = body(request)
        listing = listing_create(
            owner=request.user,
            data=_fields(data),
            source=_source(data),
            extra=_extra(data),
            ocr_scan=_scan(request, data.get("ocr_scan_id")),
        )
        return Response(
            {"message": "Listing created successfully", "listing": one_listing_json(listing)},
            status=status.HTTP_201_CREATED,
        )


class ListingDetailView(FlaskView):
    @extend_schema(responses=FlaskListingSerializer)
    def get(self, request: Request, listing_id: str) -> Response:
        return Response(one_listing_json(fetch(listing_get_for_user, request.user, listing_id, NOT_FOUND)))

    @extend_schema(request=FlaskListingUpdateSerializer, responses=LISTING_MESSAGE)
    def put(self, request: Request, listing_id: str) -> Response:
        listing = fetch(listing_get_for_user, request.user, listing_id, NOT_FOUND)
        listing = listing_update(listing=listing, data=_fields(body(request)), actor=request.user)
        return Response({"message": "Listing updated successfully", "listing": one_listing_json(listing)})

    @extend_schema(responses=MESSAGE)
    def delete(self, request: Request, listing_id: str) -> Response:
        listing = fetch(listing_get_for_user, request.user, listing_id, NOT_FOUND)
        listing_delete(listing=listing, actor=request.user)
        return Response({"message": "Listing deleted successfully"})


def _bulk_items(request: Request) -> list[Any]:
    """``{listings: [...]}`` (Flask's code) or the bare array (its documentation)."""
    data = request.data
    items = data.get("listings") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise ValidationError({"listings": ["Missing data for required field."]})
    if not 1 <= len(items) <= BULK_MAX:
        raise ValidationError({"listings": [f"Length must be between 1 and {BULK_MAX}."]})
    return items


def _known_ids(values: list[Any]) -> list[int]:
    """The values that can be our listing ids; others (Flask's UUIDs) match nothing."""
    return [int(text) for text in map(str, values) if text.isdigit() and int(text) <= MAX_ID]


def _native_item(item: Any, index: int, owned: set[int]) -> Any:
    """A Flask bulk item as ``listings_bulk_upsert`` takes it. Flask upserted: an id the
    user has no listing for (such as an old UUID) creates a new listing."""
    if not isinstance(item, Mapping):
        return item
    if item.get("ocr_scan_id") not in (None, ""):
        raise InvalidInput(
            [FieldError("ocr_scan_id", "Link a listing to a scan with POST /api/listings.", index)]
        )
    native = _fields(item)
    pk = _known_ids([item.get("id") or ""])
    if pk and pk[0] in owned:
        native["id"] = pk[0]
    else:
        native["source"] = item.get("source") or Source.IMPORT
        native["extra"] = item.get("extra_data")
    return native


class ListingBulkView(FlaskView):
    @extend_schema(
        request=FlaskBulkSerializer,
        responses={
            201: message_serializer(
                "FlaskBulkResult",
                listings=FlaskListingSerializer(many=True),
                errors=serializers.ListField(child=serializers.DictField()),
            )
        },
    )
    def post(self, request: Request) -> Response:
        """Create items without (a known) ``id``, update the others; all or nothing."""
        items = _bulk_items(request)
        ids = _known_ids([item.get("id") or "" for item in items if isinstance(item, Mapping)])
        owned = set(listings_for_user(request.user).filter(pk__in=ids).values_list("id", flat=True))
        result = listings_bulk_upsert(
            owner=request.user,
            items=[_native_item(item, index, owned) for index, item in enumerate(items)],
            actor=request.user,
            source=Source.IMPORT,
        )
        rows = listings_for_user(request.user).filter(pk__in=result.ids).values(*COLUMNS)
        by_id = {row["id"]: row for row in rows}
        return Response(
            {
                "message": f"{result.created} listings created, {result.updated} listings updated",
                "listings": [listing_json(by_id[pk]) for pk in result.ids],
                "errors": [],
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=FlaskBulkDeleteSerializer,
        responses=message_serializer("FlaskBulkDeleted", deleted_count=serializers.IntegerField()),
    )
    def delete(self, request: Request) -> Response:
        ids = body(request).get("listing_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= BULK_MAX:
            raise ValidationError({"listing_ids": [f"A list of 1 to {BULK_MAX} listing ids."]})
        count = listings_bulk_delete(
            listings=listings_for_user(request.user).filter(pk__in=_known_ids(ids)), actor=request.user
        )
        return Response({"message": f"{count} listings deleted successfully", "deleted_count": count})
