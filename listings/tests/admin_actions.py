"""Driving the listing admin's changelist and bulk actions as a browser would."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditEntry
from listings.models import Listing

CHANGELIST = "admin:listings_listing_changelist"


def changelist_url(query: str = "") -> str:
    return reverse(CHANGELIST) + (f"?{query}" if query else "")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def audit_for(listing: Listing, action: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="listings.listing", object_id=str(listing.pk), action=action)
    )


def run_action(client, action: str, listings, values: dict | None = None, query: str = "", **extra):
    """POST the action from the changelist; with ``values``, confirm it on the
    intermediate page as the browser would. Returns (first page, final response)."""
    selection = {"action": action, ACTION_CHECKBOX_NAME: [listing.pk for listing in listings], **extra}
    page = client.post(changelist_url(query), selection)
    if values is None:
        return page, None
    confirmed = client.post(changelist_url(query), {**selection, "confirm": "yes", **values})
    return page, confirmed
