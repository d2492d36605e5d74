"""Bulk listing endpoints: upsert, set, price adjust, delete, and find & replace."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import IDEMPOTENCY_KEY, idempotent_api
from listings.api.base import ERRORS, TOO_LARGE, PayloadTooLarge
from listings.api.serializers import (
    BulkPatchSerializer,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    CountSerializer,
    DuplicateGroupsSerializer,
    DuplicatesArchiveSerializer,
    FindReplaceResultSerializer,
    FindReplaceSerializer,
    SelectionSerializer,
)
from listings.duplicates import duplicate_groups
from listings.fields import Source
from listings.services.bulk import (
    BULK_UPSERT_MAX_ITEMS,
    listings_bulk_delete,
    listings_bulk_set,
    listings_bulk_upsert,
    listings_price_adjust,
)
from listings.services.duplicates import duplicates_archive
from listings.services.find_replace import listings_find_replace
from marketplace.api_input import valid_body


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
        responses={200: CountSerializer, **ERRORS},
    )
    @idempotent_api
    def patch(self, request: Request) -> Response:
        """Set fields (``set``) or change prices (``price_adjust``) on the selected listings."""
        body = valid_body(BulkPatchSerializer, request)
        listings = body["listings"]
        if "set" in body:
            count = listings_bulk_set(listings=listings, values=body["set"], actor=request.user)
        else:
            count = listings_price_adjust(listings=listings, actor=request.user, **body["price_adjust"])
        return Response({"count": count})

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=SelectionSerializer,
        responses={200: CountSerializer, **ERRORS},
    )
    @idempotent_api
    def delete(self, request: Request) -> Response:
        listings = valid_body(SelectionSerializer, request)["listings"]
        return Response({"count": listings_bulk_delete(listings=listings, actor=request.user)})


class FindReplaceView(APIView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=FindReplaceSerializer,
        responses={200: FindReplaceResultSerializer, **ERRORS},
    )
    @idempotent_api
    def post(self, request: Request) -> Response:
        """Find and replace text; with ``preview`` only count and show the first changes."""
        body = valid_body(FindReplaceSerializer, request)
        body.pop("ids", None)
        body.pop("filter", None)
        result = listings_find_replace(listings=body.pop("listings"), actor=request.user, **body)
        return Response(result)


class DuplicatesView(APIView):
    @extend_schema(responses={200: DuplicateGroupsSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        """The user's groups of likely duplicates (archived listings left out)."""
        groups = duplicate_groups(request.user)
        return Response({"groups": [{"ids": list(group.ids), "reason": group.reason} for group in groups]})

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=DuplicatesArchiveSerializer,
        responses={200: CountSerializer, **ERRORS},
    )
    @idempotent_api
    def post(self, request: Request) -> Response:
        """Keep one listing of each group (``keep``, or the oldest) and archive the rest."""
        body = valid_body(DuplicatesArchiveSerializer, request)
        return Response({"count": duplicates_archive(user=request.user, keep=body.get("keep"))})
