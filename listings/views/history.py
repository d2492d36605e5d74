"""A listing's history page and reverting one of its changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from listings.selectors import listing_get_for_user, listing_history, listing_history_entry
from listings.services.undo import listing_revert
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
