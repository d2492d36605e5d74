"""``/feeds/<token>/<format>.csv``: a feed, without logging in (the token is the
credential), with conditional GET; and the page that lists, creates and revokes them."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports.formats import FORMATS
from exports.selectors import listings_for_export
from exports.services import listings_export
from exports.views import export_response
from feeds import services
from feeds.models import Feed
from feeds.selectors import feed_get_for_user, feeds_for_user
from feeds.serializers import FeedCreateSerializer
from listings.freshness import listings_version
from listings.selectors import FilterError
from marketplace.api_input import valid_input
from marketplace.errors import InvalidInput
from marketplace.ratelimits import count_request
from photos.links import link_key_of


def _etag(feed: Feed) -> str:
    """Changes whenever the file would: any write to the owner's listings (the
    write path bumps their version), the photo links, the currency or the feed."""
    owner = feed.owner
    facts = (
        feed.pk,
        feed.export_format,
        feed.query,
        listings_version(owner.pk),
        link_key_of(owner),
        owner.currency,
    )
    return quote_etag(hashlib.sha256(repr(facts).encode()).hexdigest()[:32])


@require_GET
def feed_file(request, token: str, export_format: str) -> HttpResponse:
    feed = Feed.objects.select_related("owner").filter(token=token, export_format=export_format).first()
    if feed is None or not feed.owner.is_active:
        raise Http404("No such feed.")
    # Its own limit, per feed: a marketplace fetching on a schedule needs few.
    if (wait := count_request(request, "feeds", key=lambda group, request: f"feed:{feed.pk}")) is not None:
        response = HttpResponse("Too many fetches of this feed.", status=429, content_type="text/plain")
        response["Retry-After"] = str(wait)
        return response
    etag = _etag(feed)
    services.feed_fetched(feed=feed)
    if etag in (tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    try:
        listings = listings_for_export(feed.owner, filters=QueryDict(feed.query).dict())
    except FilterError as exc:
        raise Http404("The feed's filter no longer reads.") from exc
    response = export_response(
        listings_export(
            listings=listings,
            export_format=FORMATS[export_format],
            actor=feed.owner,
            base_url=request.build_absolute_uri("/"),
        )
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date()
    # A marketplace's fetcher revalidates with the ETag; no shared cache keeps it.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def feeds_page(request) -> HttpResponse:
    """The seller's feeds with their last fetch and count; a form to add one."""
    error = ""
    if request.method == "POST":
        # The API's serializer; the service judges the format and the filter for both.
        try:
            services.feed_create(owner=request.user, **valid_input(FeedCreateSerializer, request.POST))
        except InvalidInput as exc:
            error = " ".join(f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors)
        else:
            messages.success(request, "Feed created.")
            return redirect("feeds:feeds")
    context = {
        "feeds": feeds_for_user(request.user),
        "formats": [(name, FORMATS[name].label) for name in services.FEED_FORMATS],
        "error": error,
    }
    return render(request, "feeds/feeds.html", context, status=400 if error else 200)


@login_required
@require_POST
def feed_revoke(request, pk: int) -> HttpResponse:
    services.feed_revoke(feed=feed_get_for_user(request.user, pk), actor=request.user)
    messages.success(request, "Feed revoked: its URL no longer works.")
    return redirect("feeds:feeds")
