"""Creating, revoking and counting the fetches of feeds."""

import secrets

from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from exports.formats import FORMATS
from feeds.models import Feed
from listings.selectors import FilterError, listings_filtered
from marketplace.errors import FieldError, InvalidInput

FEED_FORMATS = ("meta-catalog", "ebay", "shopify", "woocommerce", "csv")


@transaction.atomic
def feed_create(*, owner: User, export_format: str, query: str) -> Feed:
    """A feed of ``owner``'s listings matching ``query`` (the grid's filters) as
    ``export_format``; refused for an unknown format or a bad filter."""
    if export_format not in FEED_FORMATS or export_format not in FORMATS:
        raise InvalidInput([FieldError("export_format", f"Use one of: {', '.join(FEED_FORMATS)}.")])
    query = query.strip().removeprefix("?")
    if len(query) > 1000:
        raise InvalidInput([FieldError("query", "The filter is longer than 1,000 characters.")])
    try:
        listings_filtered(owner, QueryDict(query))
    except FilterError as exc:
        raise InvalidInput([FieldError("query", f"{exc.field}: {exc.message}")]) from exc
    feed = Feed.objects.create(
        owner=owner, token=secrets.token_urlsafe(32), export_format=export_format, query=query
    )
    audit_record(
        actor=owner, action="feed.create", obj=feed, changes={"format": export_format, "query": query}
    )
    return feed


@transaction.atomic
def feed_revoke(*, feed: Feed, actor: User) -> None:
    """The feed's URL stops working at once."""
    audit_record(actor=actor, action="feed.revoke", obj=feed, changes={})
    feed.delete()


def feed_fetched(*, feed: Feed) -> None:
    """Count a fetch (a 304 too): the settings page shows the last one and how many."""
    Feed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now(), fetch_count=F("fetch_count") + 1)
