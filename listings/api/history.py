"""A listing's history and revert, and the user's undo and redo (of the last change or
of one operation)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# A selection by ``ids`` is capped like an upsert; bigger sets are chosen by filter.
from listings.api.base import (
    ERRORS,
    ID,
    MAX_ID,
    NOTHING,
    Conflict,
    listing_response,
    request_body,
)
from listings.api.serializers import (
    HistorySerializer,
    ListingSerializer,
    RevertSerializer,
    UndoResultSerializer,
)
from listings.selectors import listing_get_for_user, listing_history, listing_history_entry, undo_redo_depth
from listings.services.undo import (
    NothingToUndo,
    NotUndoable,
    listing_revert,
    operation_undo,
    redo_last,
    undo_last,
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
        entry_id = request_body(request).get("entry")
        if type(entry_id) is not int or not 0 <= entry_id <= MAX_ID:
            raise ValidationError({"entry": ["A history entry id."]})
        entry = listing_history_entry(listing, entry_id)
        return listing_response(listing_revert(listing=listing, entry=entry, actor=request.user))


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


class OperationUndoView(APIView):
    @extend_schema(tags=["listings"], request=None, responses={200: UndoResultSerializer, **NOTHING})
    def post(self, request: Request, batch) -> Response:
        """Undo one operation (the ``batch`` of its audit entries), not only the newest:
        refused (409) while a later change still in effect touched the same listings;
        the message names them and the change to undo first."""
        return _undo_response(request, operation_undo, batch=batch)


def _undo_response(request: Request, operation, **kwargs) -> Response:
    try:
        outcome = operation(user=request.user, **kwargs)
    except (NothingToUndo, NotUndoable) as exc:
        raise Conflict(str(exc)) from exc
    return Response({"action": outcome.action, "listings": outcome.listings, **undo_redo_depth(request.user)})
