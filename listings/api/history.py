"""A listing's history and revert, and the user's undo and redo (of the last change or
of one operation)."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.serializers import CHANGE_COLUMNS
from listings.api.base import ERRORS, ID, NOTHING, Conflict, listing_response
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
from marketplace.api_input import valid_body


class ListingHistoryView(APIView):
    @extend_schema(parameters=[ID], responses={200: HistorySerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The listing's audit entries, newest first, with field-level [before, after]."""
        listing = listing_get_for_user(request.user, pk)
        return Response({"results": list(listing_history(listing).values(*CHANGE_COLUMNS))})


class ListingRevertView(APIView):
    @extend_schema(parameters=[ID], request=RevertSerializer, responses={200: ListingSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        """Put the listing back as it was before the given history entry."""
        listing = listing_get_for_user(request.user, pk)
        entry = listing_history_entry(listing, valid_body(RevertSerializer, request)["entry"])
        return listing_response(listing_revert(listing=listing, entry=entry, actor=request.user))


def _undo_response(request: Request, undo, **kwargs) -> Response:
    try:
        outcome = undo(user=request.user, **kwargs)
    except (NothingToUndo, NotUndoable) as exc:
        raise Conflict(str(exc)) from exc
    return Response({"action": outcome.action, "listings": outcome.listings, **undo_redo_depth(request.user)})


class UndoView(APIView):
    """Undo the user's last change (a bulk change is one step)."""

    step = staticmethod(undo_last)

    @extend_schema(request=None, responses={200: UndoResultSerializer, **NOTHING})
    def post(self, request: Request) -> Response:
        return _undo_response(request, self.step)


class RedoView(UndoView):
    """Redo the change undone last."""

    step = staticmethod(redo_last)


class OperationUndoView(APIView):
    @extend_schema(tags=["listings"], request=None, responses={200: UndoResultSerializer, **NOTHING})
    def post(self, request: Request, batch) -> Response:
        """Undo one operation (the ``batch`` of its audit entries), not only the newest:
        refused (409) while a later change still in effect touched the same listings;
        the message names them and the change to undo first."""
        return _undo_response(request, operation_undo, batch=batch)
