"""What every listing endpoint shares: body parsing, selection, versions (If-Match),
the documented error answers and the exceptions that make them."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from listings.api.serializers import LISTING_COLUMNS, listing_json
from listings.fields import LISTING_FIELDS
from listings.models import Listing
from listings.selectors import (
    FilterError,
    listings_filtered,
    listings_for_user,
)
from listings.services.bulk import (
    BULK_UPSERT_MAX_ITEMS,
)
from listings.services.changes import VersionConflict
from listings.validation import parse_bool
from marketplace.api import ErrorSerializer
from marketplace.input import whole_number

# A selection by ``ids`` is capped like an upsert; bigger sets are chosen by filter.
MAX_SELECTED_IDS = BULK_UPSERT_MAX_ITEMS

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="Invalid input: every error with its field (and index)."
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object for this user."),
}
VERSION_ERRORS = {
    **ERRORS,
    412: OpenApiResponse(ErrorSerializer, description="If-Match names a version that is no longer current."),
}
TOO_LARGE = {413: OpenApiResponse(ErrorSerializer, description="Too many items or ids in one request.")}
NOTHING = {409: OpenApiResponse(ErrorSerializer, description="Nothing to undo or redo.")}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The listing's version (its ETag); a stale version answers 412.",
)
# Django's <int:pk> matches only digits; saying so keeps clients to URLs that exist.
ID = OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The listing changed since you read it."
    default_code = "precondition_failed"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Too many items in one request."
    default_code = "payload_too_large"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# Bigger ids cannot exist (bigint) and would make the database raise, not answer.
MAX_ID = 2**63 - 1


def request_body(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "dict"):  # a form post from the browsable API
        data = data.dict()
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    return dict(data)


def listing_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in LISTING_FIELDS if name in body}


def listing_response(listing: Listing, status_code: int = status.HTTP_200_OK) -> Response:
    row = Listing.objects.values(*LISTING_COLUMNS).get(pk=listing.pk)
    return Response(listing_json(row), status=status_code, headers={"ETag": f'"{row["version"]}"'})


def expected_version(request: Request) -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"`` or ``3``); ``*`` or no
    header means any."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    if (version := whole_number(tag)) is None:
        raise PreconditionFailed(f'If-Match must be a listing version such as "{tag[:20] or 1}".')
    return version


def stale_version(exc: VersionConflict) -> PreconditionFailed:
    return PreconditionFailed(
        f"Listing {exc.listing.pk} changed since you read it; it is now at version {exc.listing.version}."
    )


def filtered_by(user, value: Any, field: str = "filter") -> QuerySet[Listing]:
    if not isinstance(value, Mapping):
        raise ValidationError({field: ['An object of list filters, e.g. {"condition": "New"}.']})
    try:
        return listings_filtered(user, value)
    except FilterError as exc:
        raise ValidationError({f"{field}.{exc.field}": [exc.message]}) from exc


def selected_listings(user, body: Mapping[str, Any]) -> QuerySet[Listing]:
    """The user's listings named by ``ids`` or matched by ``filter``."""
    if body.get("ids") is not None:
        ids = body["ids"]
        if not isinstance(ids, list) or not all(type(pk) is int and 0 <= pk <= MAX_ID for pk in ids):
            raise ValidationError({"ids": ["A list of listing ids."]})
        if len(ids) > MAX_SELECTED_IDS:
            raise PayloadTooLarge(f"Select at most {MAX_SELECTED_IDS:,} ids; use a filter for more.")
        return listings_for_user(user).filter(pk__in=ids)
    if body.get("filter") is not None:
        return filtered_by(user, body["filter"])
    raise ValidationError({"ids": ["Give ids or a filter."]})


def flag(body: Mapping[str, Any], name: str) -> bool:
    try:
        return parse_bool(body.get(name, False))
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from exc
