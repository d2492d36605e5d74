"""The listing JSON API: list, create, read, change, delete and duplicate one listing."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import IDEMPOTENCY_KEY, idempotent_api

# A selection by ``ids`` is capped like an upsert; bigger sets are chosen by filter.
from listings.api.base import (
    ERRORS,
    ID,
    IF_MATCH,
    VERSION_ERRORS,
    expected_version,
    listing_fields,
    listing_response,
    stale_version,
)
from listings.api.serializers import (
    LISTING_COLUMNS,
    ListingInputSerializer,
    ListingPageSerializer,
    ListingSerializer,
    with_readiness,
)
from listings.fields import Source
from listings.selectors import (
    FilterError,
    listing_get_for_user,
    listings_count,
    listings_filtered,
    ordering_from,
)
from listings.services.bulk import listing_duplicate
from listings.services.changes import VersionConflict, listing_create, listing_delete, listing_update
from listings.validation import clean_listing
from marketplace.api_input import request_body
from marketplace.pagination import keyset_page

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Words that must all appear in title, description or category."),
    OpenApiParameter("condition", str),
    OpenApiParameter("category", str, description="Category prefix, e.g. 'Furniture'."),
    OpenApiParameter("offer_shipping", bool),
    OpenApiParameter("source", str),
    OpenApiParameter("price_min", str),
    OpenApiParameter("price_max", str),
    OpenApiParameter("has_warnings", bool),
    OpenApiParameter(
        "status",
        str,
        description="draft, ready, listed, sold or archived, or several (listed,sold); "
        "all: archived too (archived listings are left out unless asked for).",
    ),
    OpenApiParameter("sku", str, description="The listing with this SKU (any case)."),
    OpenApiParameter("brand", str, description="Listings of this brand (any case)."),
    OpenApiParameter("ebay_category_id", str, description="Listings in this eBay category."),
    OpenApiParameter("ordering", str, description="Comma-separated columns, '-' for descending."),
    OpenApiParameter("page_size", int, description="1 to 500, default 50."),
    OpenApiParameter("cursor", str, description="From the first/last/next/previous links."),
    OpenApiParameter("count", bool, description="Count the matches (default: only on the first page)."),
]


class ListingListView(APIView):
    @extend_schema(
        operation_id="listings_list",
        parameters=LIST_PARAMETERS,
        responses={200: ListingPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The user's listings, filtered, searched and sorted, a page at a time."""
        try:
            listings = listings_filtered(request.user, request.query_params)
        except FilterError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        ordering = ordering_from(request.query_params.get("ordering"))
        readiness, to_json = with_readiness(request.user)
        return Response(
            keyset_page(
                request,
                listings.annotate(**readiness),
                ordering,
                columns=(*LISTING_COLUMNS, *readiness),
                to_json=to_json,
                # The listings without the readiness columns: the count needs none.
                count_rows=lambda matching: listings_count(request.user, listings, request.query_params),
            )
        )

    @extend_schema(request=ListingInputSerializer, responses={201: ListingSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        listing = listing_create(
            owner=request.user, data=listing_fields(request_body(request)), source=Source.API
        )
        return listing_response(listing, status.HTTP_201_CREATED)


class ListingDetailView(APIView):
    @extend_schema(parameters=[ID], responses={200: ListingSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return listing_response(listing_get_for_user(request.user, pk))

    @extend_schema(
        request=ListingInputSerializer,
        parameters=[ID, IF_MATCH],
        responses={200: ListingSerializer, **VERSION_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        """Replace the listing's fields; missing optional fields take their defaults."""
        return self._update(request, pk, full=True)

    @extend_schema(
        request=ListingInputSerializer(partial=True),
        parameters=[ID, IF_MATCH],
        responses={200: ListingSerializer, **VERSION_ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, full=False)

    def _update(self, request: Request, pk: int, *, full: bool) -> Response:
        listing = listing_get_for_user(request.user, pk)
        data = listing_fields(request_body(request))
        if full:
            data = clean_listing(data)
        try:
            listing = listing_update(
                listing=listing, data=data, actor=request.user, expected_version=expected_version(request)
            )
        except VersionConflict as exc:
            raise stale_version(exc) from exc
        return listing_response(listing)

    @extend_schema(parameters=[ID, IF_MATCH], responses={204: None, **VERSION_ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        listing = listing_get_for_user(request.user, pk)
        try:
            listing_delete(listing=listing, actor=request.user, expected_version=expected_version(request))
        except VersionConflict as exc:
            raise stale_version(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingDuplicateView(APIView):
    @extend_schema(
        parameters=[ID, IDEMPOTENCY_KEY], request=None, responses={201: ListingSerializer, **ERRORS}
    )
    @idempotent_api
    def post(self, request: Request, pk: int) -> Response:
        listing = listing_get_for_user(request.user, pk)
        return listing_response(
            listing_duplicate(listing=listing, actor=request.user), status.HTTP_201_CREATED
        )
