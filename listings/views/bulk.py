"""Bulk actions on the grid's selection (ticked rows, or all matching the filters)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent
from listings import forms
from listings.selectors import listings_for_user
from listings.services.bulk import (
    listings_bulk_delete,
    listings_bulk_set,
    listings_duplicate,
    listings_price_adjust,
)
from listings.services.duplicates import duplicates_archive
from listings.services.find_replace import listings_find_replace
from listings.views.grid import (
    LABELS,
    ROWS_CHANGED,
    UNDO_CHANGED,
    filtered_listings,
    grid_message,
    notify,
)
from marketplace.errors import NON_FIELD, InvalidInput
from marketplace.html_errors import error_text, form_invalid

# Copies are one set-based change; more than this at once is more likely a slip
# of "select all" than a wish, and an import is the tool for it.
DUPLICATE_MAX = 500


@dataclass(frozen=True)
class Selection:
    listings: Any
    count: int
    all_matching: bool


def selection_from_request(request) -> Selection:
    """The selection the request names; ``InvalidInput`` says what is wrong with it."""
    data = valid_form_data(forms.SelectionForm(request.POST))
    if data["all_matching"]:
        listings, error = filtered_listings(request, request.POST)
        if error:
            raise error
        return Selection(listings, listings.count(), True)
    listings = listings_for_user(request.user).filter(pk__in=data["ids"])
    return Selection(listings, listings.count(), False)


def invalid_message(request, exc: InvalidInput) -> HttpResponse:
    return grid_message(request, error_text(exc, LABELS), error=True, status=422)


def listings_phrase(count: int) -> str:
    return f"{count} listing{'' if count == 1 else 's'}"


def valid_form_data(form, message: str | None = None):
    """The form's data, or ``InvalidInput``: ``message`` if given (the form's own
    wording would name inputs the grid does not show), else the form's errors."""
    if not form.is_valid():
        raise InvalidInput.one(NON_FIELD, message) if message else form_invalid(form)
    return form.cleaned_data


# Each bulk action returns the message to show, or a response of its own
# (a preview, a confirmation question).
def _bulk_set(request, selection: Selection):
    data = valid_form_data(forms.BulkSetForm(request.POST), "Choose a field to set.")
    values = {data["field"]: data["value"]}
    changed = listings_bulk_set(listings=selection.listings, values=values, actor=request.user)
    return f"Set {LABELS[data['field']].lower()} on {listings_phrase(changed)}."


def _bulk_price(request, selection: Selection):
    form = forms.PriceAdjustForm(request.POST)
    valid_form_data(form)
    [(kind, change)] = form.price_change().items()
    changed = listings_price_adjust(listings=selection.listings, actor=request.user, **{kind: change})
    by = f"{change:+} %" if kind == "percent" else f"{change:+}"
    return f"Adjusted the price of {listings_phrase(changed)} by {by}."


def _bulk_find_replace(request, selection: Selection):
    data = valid_form_data(
        forms.FindReplaceForm(request.POST), "Enter the text to find and tick at least one column."
    )
    preview = request.POST.get("preview") == "yes"
    result = listings_find_replace(listings=selection.listings, actor=request.user, preview=preview, **data)
    if preview:
        context = {"count": result["count"], "changes": result["changes"]}
        return render(request, "listings/grid.html#find_preview", context)
    return f"Replaced in {listings_phrase(result['count'])}."


def _bulk_duplicate(request, selection: Selection):
    if selection.count > DUPLICATE_MAX:
        raise InvalidInput.one(
            NON_FIELD,
            f"Duplicate at most {DUPLICATE_MAX} listings at a time; {selection.count} are selected.",
        )
    copies = listings_duplicate(listings=selection.listings, actor=request.user)
    return f"Duplicated {listings_phrase(len(copies))}."


def _bulk_delete(request, selection: Selection):
    if request.POST.get("confirm") != "yes":
        context = {"count": selection.count, "all_matching": selection.all_matching}
        return render(request, "listings/grid.html#confirm_delete", context)
    return (
        f"Deleted {listings_phrase(listings_bulk_delete(listings=selection.listings, actor=request.user))}."
    )


def _bulk_archive_duplicates(request, selection: Selection):
    # The ticked listings are the ones to keep; "all matching" keeps each group's oldest.
    keep = None if selection.all_matching else list(selection.listings.values_list("id", flat=True))
    archived = duplicates_archive(user=request.user, keep=keep)
    return f"Archived {listings_phrase(archived)} as duplicates."


BULK_ACTIONS = {
    "set": _bulk_set,
    "price": _bulk_price,
    "find_replace": _bulk_find_replace,
    "duplicate": _bulk_duplicate,
    "delete": _bulk_delete,
    "archive_duplicates": _bulk_archive_duplicates,
}


@login_required
@require_POST
def bulk(request, action: str):
    """One action for the selected rows (or all matching the filters)."""
    if action not in BULK_ACTIONS:
        raise Http404("No such action.")
    return run_bulk_action(request, BULK_ACTIONS[action])


BulkAction = Callable[[HttpRequest, Selection], "str | HttpResponse"]


@idempotent
def run_bulk_action(request: HttpRequest, action: BulkAction) -> HttpResponse:
    """Run ``action`` on the request's selection and answer as the grid expects: the
    action's message (the rows and undo buttons reload) or its own response. Other
    apps' bulk actions (applying a template) run through here too."""
    try:
        outcome = action(request, selection_from_request(request))
    except InvalidInput as exc:
        return invalid_message(request, exc)
    if isinstance(outcome, HttpResponse):
        return outcome
    return notify(grid_message(request, outcome), ROWS_CHANGED, UNDO_CHANGED)
