"""Bulk listing endpoints: upsert, set, price adjust, delete, and find & replace."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import IDEMPOTENCY_KEY, idempotent_api

# A selection by ``ids`` is capped like an upsert; bigger sets are chosen by filter.
from listings.api.base import (
    ERRORS,
    TOO_LARGE,
    PayloadTooLarge,
    flag,
    listing_fields,
    request_body,
    selected_listings,
)
from listings.api.serializers import (
    BulkPatchSerializer,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    CountSerializer,
    FindReplaceResultSerializer,
    FindReplaceSerializer,
    SelectionSerializer,
)
from listings.fields import Source
from listings.services.bulk import (
    BULK_UPSERT_MAX_ITEMS,
    listings_bulk_delete,
    listings_bulk_set,
    listings_bulk_upsert,
    listings_price_adjust,
)
from listings.services.find_replace import listings_find_replace


class ListingBulkView(APIView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=BulkUpsertSerializer,
        responses={200: BulkUpsertResultSerializer, **ERRORS, **TOO_LARGE},
    )
    @idempotent_api
    def post(self, request: Request) -> Response:
        """Create items without an id, update items with one; all or nothing."""
        items = request.data.get("items") if isinstance(request.data, Mapping) else request.data
        if not isinstance(items, list):
            raise ValidationError({"items": ["A list of listing objects."]})
        if len(items) > BULK_UPSERT_MAX_ITEMS:
            raise PayloadTooLarge(
                f"Send at most {BULK_UPSERT_MAX_ITEMS:,} items at a time; got {len(items):,}."
            )
        result = listings_bulk_upsert(owner=request.user, items=items, actor=request.user, source=Source.API)
        return Response({"ids": result.ids, "created": result.created, "updated": result.updated})

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=BulkPatchSerializer,
        responses={200: CountSerializer, **ERRORS, **TOO_LARGE},
    )
    @idempotent_api
    def patch(self, request: Request) -> Response:
        """Set fields (``set``) or change prices (``price_adjust``) on the selected listings."""
        body = request_body(request)
        listings = selected_listings(request.user, body)
        if isinstance(body.get("set"), Mapping) and "price_adjust" not in body:
            count = listings_bulk_set(
                listings=listings, values=listing_fields(body["set"]), actor=request.user
            )
        elif isinstance(body.get("price_adjust"), Mapping) and "set" not in body:
            adjust = body["price_adjust"]
            count = listings_price_adjust(
                listings=listings,
                actor=request.user,
                percent=_decimal(adjust, "percent"),
                amount=_decimal(adjust, "amount"),
            )
        else:
            raise ValidationError(
                {"set": ["Give either set: {field: value} or price_adjust: {percent | amount}."]}
            )
        return Response({"count": count})

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=SelectionSerializer,
        responses={200: CountSerializer, **ERRORS, **TOO_LARGE},
    )
    @idempotent_api
    def delete(self, request: Request) -> Response:
        listings = selected_listings(request.user, request_body(request))
        return Response({"count": listings_bulk_delete(listings=listings, actor=request.user)})


def _decimal(data: Mapping[str, Any], name: str) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({f"price_adjust.{name}": [f"“{value}” is not a number."]}) from exc
    if not number.is_finite() or abs(number) > Decimal("1000000"):
        raise ValidationError({f"price_adjust.{name}": ["Use a number between -1,000,000 and 1,000,000."]})
    return number


class FindReplaceView(APIView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=FindReplaceSerializer,
        responses={200: FindReplaceResultSerializer, **ERRORS, **TOO_LARGE},
    )
    @idempotent_api
    def post(self, request: Request) -> Response:
        """Find and replace text; with ``preview`` only count and show the first changes."""
        body = request_body(request)
        fields = body.get("fields", [body["field"]] if "field" in body else None)
        if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
            raise ValidationError({"fields": ['A list of field names, e.g. ["title"].']})
        for name in ("find", "replace"):
            if not isinstance(body.get(name, ""), str):
                raise ValidationError({name: ["Must be text."]})
        result = listings_find_replace(
            listings=selected_listings(request.user, body),
            fields=fields,
            find=body.get("find", ""),
            replace=body.get("replace", ""),
            match_case=flag(body, "match_case"),
            whole_word=flag(body, "whole_word"),
            regex=flag(body, "regex"),
            actor=request.user,
            preview=flag(body, "preview"),
        )
        return Response(result)
