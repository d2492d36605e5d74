"""The listing and template JSON API. Views parse the request, call a selector or a
service, and answer; every rule lives in ``listings.services``/``validation``."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from listings.api.serializers import (
    LISTING_COLUMNS,
    TEMPLATE_COLUMNS,
    BulkPatchSerializer,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    CountSerializer,
    ErrorSerializer,
    FindReplaceResultSerializer,
    FindReplaceSerializer,
    HistorySerializer,
    ListingInputSerializer,
    ListingPageSerializer,
    ListingSerializer,
    RevertSerializer,
    SelectionSerializer,
    TemplateApplySerializer,
    TemplateInputSerializer,
    TemplateListSerializer,
    TemplateSerializer,
    UndoResultSerializer,
    listing_json,
    template_json,
)
from listings.models import LISTING_FIELDS, Listing, ListingTemplate, Source
from listings.selectors import (
    FilterError,
    listing_get_for_user,
    listing_history,
    listing_history_entry,
    listings_filtered,
    listings_for_user,
    ordering_from,
    template_get_for_user,
    templates_visible_to,
    undo_redo_depth,
)
from listings.services import (
    BULK_UPSERT_MAX_ITEMS,
    NothingToUndo,
    VersionConflict,
    listing_create,
    listing_delete,
    listing_duplicate,
    listing_revert,
    listing_update,
    listings_bulk_delete,
    listings_bulk_set,
    listings_bulk_upsert,
    listings_find_replace,
    listings_price_adjust,
    redo_last,
    template_apply,
    template_create,
    template_delete,
    template_update,
    undo_last,
)
from listings.validation import clean_listing, parse_bool
from marketplace.input import whole_number
from marketplace.pagination import keyset_page

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
LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Words that must all appear in title, description or category."),
    OpenApiParameter("condition", str),
    OpenApiParameter("category", str, description="Category prefix, e.g. 'Furniture'."),
    OpenApiParameter("offer_shipping", bool),
    OpenApiParameter("source", str),
    OpenApiParameter("price_min", str),
    OpenApiParameter("price_max", str),
    OpenApiParameter("has_warnings", bool),
    OpenApiParameter("ordering", str, description="Comma-separated columns, '-' for descending."),
    OpenApiParameter("page_size", int, description="1 to 500, default 50."),
    OpenApiParameter("cursor", str, description="From the first/last/next/previous links."),
    OpenApiParameter("count", bool, description="Count the matches (default: only on the first page)."),
]


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


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "dict"):  # a form post from the browsable API
        data = data.dict()
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    return dict(data)


def _listing_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in LISTING_FIELDS if name in body}


def _listing_response(listing: Listing, status_code: int = status.HTTP_200_OK) -> Response:
    row = Listing.objects.values(*LISTING_COLUMNS).get(pk=listing.pk)
    return Response(listing_json(row), status=status_code, headers={"ETag": f'"{row["version"]}"'})


def _expected_version(request: Request) -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"`` or ``3``); ``*`` or no
    header means any."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    if (version := whole_number(tag)) is None:
        raise PreconditionFailed(f'If-Match must be a listing version such as "{tag[:20] or 1}".')
    return version


def _stale(exc: VersionConflict) -> PreconditionFailed:
    return PreconditionFailed(
        f"Listing {exc.listing.pk} changed since you read it; it is now at version {exc.listing.version}."
    )


def _filters(user, value: Any, field: str = "filter") -> QuerySet[Listing]:
    if not isinstance(value, Mapping):
        raise ValidationError({field: ['An object of list filters, e.g. {"condition": "New"}.']})
    try:
        return listings_filtered(user, value)
    except FilterError as exc:
        raise ValidationError({f"{field}.{exc.field}": [exc.message]}) from exc


def _selection(user, body: Mapping[str, Any]) -> QuerySet[Listing]:
    """The user's listings named by ``ids`` or matched by ``filter``."""
    if body.get("ids") is not None:
        ids = body["ids"]
        if not isinstance(ids, list) or not all(type(pk) is int and 0 <= pk <= MAX_ID for pk in ids):
            raise ValidationError({"ids": ["A list of listing ids."]})
        if len(ids) > MAX_SELECTED_IDS:
            raise PayloadTooLarge(f"Select at most {MAX_SELECTED_IDS:,} ids; use a filter for more.")
        return listings_for_user(user).filter(pk__in=ids)
    if body.get("filter") is not None:
        return _filters(user, body["filter"])
    raise ValidationError({"ids": ["Give ids or a filter."]})


def _flag(body: Mapping[str, Any], name: str) -> bool:
    try:
        return parse_bool(body.get(name, False))
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from exc


# --- Listings --------------------------------------------------------------


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
        return Response(
            keyset_page(request, listings, ordering, columns=LISTING_COLUMNS, to_json=listing_json)
        )

    @extend_schema(request=ListingInputSerializer, responses={201: ListingSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        listing = listing_create(owner=request.user, data=_listing_fields(_body(request)), source=Source.API)
        return _listing_response(listing, status.HTTP_201_CREATED)


class ListingDetailView(APIView):
    @extend_schema(parameters=[ID], responses={200: ListingSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return _listing_response(listing_get_for_user(request.user, pk))

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
        data = _listing_fields(_body(request))
        if full:
            data = clean_listing(data)
        try:
            listing = listing_update(
                listing=listing, data=data, actor=request.user, expected_version=_expected_version(request)
            )
        except VersionConflict as exc:
            raise _stale(exc) from exc
        return _listing_response(listing)

    @extend_schema(parameters=[ID, IF_MATCH], responses={204: None, **VERSION_ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        listing = listing_get_for_user(request.user, pk)
        try:
            listing_delete(listing=listing, actor=request.user, expected_version=_expected_version(request))
        except VersionConflict as exc:
            raise _stale(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingBulkView(APIView):
    @extend_schema(
        request=BulkUpsertSerializer, responses={200: BulkUpsertResultSerializer, **ERRORS, **TOO_LARGE}
    )
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

    @extend_schema(request=BulkPatchSerializer, responses={200: CountSerializer, **ERRORS, **TOO_LARGE})
    def patch(self, request: Request) -> Response:
        """Set fields (``set``) or change prices (``price_adjust``) on the selected listings."""
        body = _body(request)
        listings = _selection(request.user, body)
        if isinstance(body.get("set"), Mapping) and "price_adjust" not in body:
            count = listings_bulk_set(
                listings=listings, values=_listing_fields(body["set"]), actor=request.user
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

    @extend_schema(request=SelectionSerializer, responses={200: CountSerializer, **ERRORS, **TOO_LARGE})
    def delete(self, request: Request) -> Response:
        listings = _selection(request.user, _body(request))
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
        request=FindReplaceSerializer, responses={200: FindReplaceResultSerializer, **ERRORS, **TOO_LARGE}
    )
    def post(self, request: Request) -> Response:
        """Find and replace text; with ``preview`` only count and show the first changes."""
        body = _body(request)
        fields = body.get("fields", [body["field"]] if "field" in body else None)
        if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
            raise ValidationError({"fields": ['A list of field names, e.g. ["title"].']})
        for name in ("find", "replace"):
            if not isinstance(body.get(name, ""), str):
                raise ValidationError({name: ["Must be text."]})
        result = listings_find_replace(
            listings=_selection(request.user, body),
            fields=fields,
            find=body.get("find", ""),
            replace=body.get("replace", ""),
            match_case=_flag(body, "match_case"),
            whole_word=_flag(body, "whole_word"),
            regex=_flag(body, "regex"),
            actor=request.user,
            preview=_flag(body, "preview"),
        )
        return Response(result)


class ListingDuplicateView(APIView):
    @extend_schema(parameters=[ID], request=None, responses={201: ListingSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        listing = listing_get_for_user(request.user, pk)
        return _listing_response(
            listing_duplicate(listing=listing, actor=request.user), status.HTTP_201_CREATED
        )


def _history_json(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: entry[name] for name in ("id", "action", "changes", "batch", "created_at")}


class ListingHistoryView(APIView):
    @extend_schema(parameters=[ID], responses={200: HistorySerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The listing's audit entries, newest first, with field-level [before, after]."""
        listing = listing_get_for_user(request.user, pk)
        entries = listing_history(listing).values("id", "action", "changes", "batch", "created_at")
        return Response({"results": [_history_json(entry) for entry in entries]})


class ListingRevertView(APIView):
    @extend_schema(parameters=[ID], request=RevertSerializer, responses={200: ListingSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        """Put the listing back as it was before the given history entry."""
        listing = listing_get_for_user(request.user, pk)
        entry_id = _body(request).get("entry")
        if type(entry_id) is not int or not 0 <= entry_id <= MAX_ID:
            raise ValidationError({"entry": ["A history entry id."]})
        entry = listing_history_entry(listing, entry_id)
        return _listing_response(listing_revert(listing=listing, entry=entry, actor=request.user))


class UndoView(APIView):
    @extend_schema(request=None, responses={200: UndoResultSerializer, **NOTHING})
    def post(self, request: Request) -> Response:
        """Undo the user's last change (a bulk change is one step)."""
        return _undo_response(request, undo_last)


class RedoView(APIView):
    @extend_schema(request=None, responses={200: UndoResultSerializer, **NOTHING})
    def post(self, request: Request) -> Response:
        """Redo the change undone last."""
        return _undo_response(request, redo_last)


def _undo_response(request: Request, operation) -> Response:
    try:
        outcome = operation(user=request.user)
    except NothingToUndo as exc:
        raise Conflict(str(exc)) from exc
    return Response({"action": outcome.action, "listings": outcome.listings, **undo_redo_depth(request.user)})


# --- Templates ---------------------------------------------------------------


def _template_response(
    template: ListingTemplate, request: Request, status_code=status.HTTP_200_OK
) -> Response:
    row = ListingTemplate.objects.values(*TEMPLATE_COLUMNS).get(pk=template.pk)
    return Response(template_json(row, request.user.pk), status=status_code)


def _template_data(body: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    data = {name: body[name] for name in ("name", "description", "defaults", "is_public") if name in body}
    if not partial and "name" not in data:
        raise ValidationError({"name": ["This field is required."]})
    if "is_public" in data:
        data["is_public"] = _flag(data, "is_public")
    for name in ("name", "description"):
        if name in data and not isinstance(data[name], str):
            raise ValidationError({name: ["Must be text."]})
    return data


def _template_errors(exc: DjangoValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return ValidationError({"non_field_errors": exc.messages})
    return ValidationError(
        {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    )


class TemplateListView(APIView):
    @extend_schema(operation_id="templates_list", responses={200: TemplateListSerializer})
    def get(self, request: Request) -> Response:
        """The user's templates and everyone's public ones."""
        rows = templates_visible_to(request.user).values(*TEMPLATE_COLUMNS)
        return Response({"results": [template_json(row, request.user.pk) for row in rows]})

    @extend_schema(request=TemplateInputSerializer, responses={201: TemplateSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = _template_data(_body(request), partial=False)
        try:
            template = template_create(
                owner=request.user,
                name=data["name"],
                defaults=data.get("defaults", {}),
                description=data.get("description", ""),
                is_public=data.get("is_public", False),
            )
        except DjangoValidationError as exc:
            raise _template_errors(exc) from exc
        return _template_response(template, request, status.HTTP_201_CREATED)


class TemplateDetailView(APIView):
    @extend_schema(parameters=[ID], responses={200: TemplateSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return _template_response(template_get_for_user(request.user, pk), request)

    @extend_schema(
        parameters=[ID], request=TemplateInputSerializer, responses={200: TemplateSerializer, **ERRORS}
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        parameters=[ID],
        request=TemplateInputSerializer(partial=True),
        responses={200: TemplateSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        template = template_get_for_user(request.user, pk, writable=True)
        data = _template_data(_body(request), partial=partial)
        try:
            template = template_update(template=template, data=data, actor=request.user)
        except DjangoValidationError as exc:
            raise _template_errors(exc) from exc
        return _template_response(template, request)

    @extend_schema(parameters=[ID], responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        template_delete(template=template_get_for_user(request.user, pk, writable=True), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateApplyView(APIView):
    @extend_schema(
        parameters=[ID],
        request=TemplateApplySerializer,
        responses={200: CountSerializer, **ERRORS, **TOO_LARGE},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Give the selected listings the template's defaults (fill_empty or overwrite)."""
        template = template_get_for_user(request.user, pk)
        body = _body(request)
        count = template_apply(
            template=template,
            listings=_selection(request.user, body),
            actor=request.user,
            mode=body.get("mode", "fill_empty"),
        )
        return Response({"count": count})
