"""What every listing endpoint shares: body parsing and validation, versions (If-Match),
the documented error answers and the exceptions that make them."""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from listings.api.serializers import LISTING_COLUMNS, with_readiness
from listings.fields import LISTING_FIELDS
from listings.models import Listing
from listings.services.changes import VersionConflict
from marketplace.api import ErrorSerializer
from marketplace.input import whole_number

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
NOTHING = {
    409: OpenApiResponse(
        ErrorSerializer, description="Nothing to undo or redo, or a later change blocks this undo (named)."
    )
}
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


def listing_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in LISTING_FIELDS if name in body}


def listing_response(listing: Listing, status_code: int = status.HTTP_200_OK) -> Response:
    readiness, to_json = with_readiness(listing.owner)
    row = Listing.objects.annotate(**readiness).values(*LISTING_COLUMNS, *readiness).get(pk=listing.pk)
    return Response(to_json(row), status=status_code, headers={"ETag": f'"{row["version"]}"'})


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
