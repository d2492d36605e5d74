"""A listing's history page, reverting one of its changes, and undoing one operation
(an import, a bulk edit) from the pages that list them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from audit.words import action_label
from listings.selectors import listing_get_for_user, listing_history, listing_history_entry
from listings.services.undo import NothingToUndo, NotUndoable, listing_revert, operation_undo
from listings.views.grid import UNDO_CHANGED, grid_message, notify
from marketplace.errors import InvalidInput
from marketplace.html_errors import error_text


@login_required
@require_GET
def history(request, pk: int):
    listing = listing_get_for_user(request.user, pk)
    entries = listing_history(listing).select_related("actor")[:200]
    return render(request, "listings/listing_history.html", {"listing": listing, "entries": entries})


@login_required
@require_POST
def revert(request, pk: int, entry_pk: int):
    """Put the listing back as it was before one of its history entries."""
    listing = listing_get_for_user(request.user, pk)
    entry = listing_history_entry(listing, entry_pk)
    try:
        listing_revert(listing=listing, entry=entry, actor=request.user)
    except InvalidInput as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Reverted to before the change of {entry.created_at:%Y-%m-%d %H:%M:%S}.")
    return redirect("listings:history", pk=listing.pk)


@login_required
@require_POST
def operation_undo_view(request, batch):
    """Undo one of the user's operations; back to the page it was offered on, which
    shows what was undone or why it cannot be."""
    try:
        outcome = operation_undo(user=request.user, batch=batch)
    except (NothingToUndo, NotUndoable) as exc:
        text, error = str(exc), True
    else:
        plural = "" if outcome.listings == 1 else "s"
        # The operation in the history's words ("Imports"), never its code.
        what = action_label(outcome.action).lower()
        text, error = f"Undone: {what} ({outcome.listings} listing{plural}).", False
    if request.htmx:
        # The history page's button: say what happened in place; the page reloads its list.
        response = grid_message(request, text, error=error, status=422 if error else 200)
        return response if error else notify(response, UNDO_CHANGED)
    (messages.error if error else messages.success)(request, text)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # A URL, never reversed as a view name (``redirect("csv")`` would try to).
        return HttpResponseRedirect(back)
    return redirect("audit:history")
