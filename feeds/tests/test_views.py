"""Catalog feeds: served without logging in by token, only the feed's filter of its
owner's listings, 304 while nothing changed, revocable, rate limited per feed, and
listed on the settings page with their fetches."""

import csv
import io

import pytest
from django.test import Client

from feeds import services
from feeds.models import Feed
from listings.services.changes import listing_update
from listings.tests.factories import ListingFactory
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(owner, other_user):
    ListingFactory(owner=owner, title="Oak chair", description="Solid.", price=120)
    ListingFactory(owner=owner, title="Pine table", description="Solid.", price=40)
    ListingFactory(owner=other_user, title="Their chair", description="Solid.", price=120)
    return services.feed_create(owner=owner, export_format="shopify", query="price_min=100")


def _url(feed: Feed) -> str:
    return f"/feeds/{feed.token}/{feed.export_format}.csv"


def _titles(response) -> list[str]:
    return [
        row["Title"] for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    ]


def test_a_feed_serves_its_filter_of_its_owners_listings_without_logging_in(feed):
    response = Client().get(_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert _titles(response) == ["Oak chair"]
    assert response["ETag"]
    assert response["Last-Modified"]


def test_unchanged_listings_answer_304_and_a_change_a_new_file(
    owner, feed, django_capture_on_commit_callbacks
):
    client = Client()
    etag = client.get(_url(feed))["ETag"]
    again = client.get(_url(feed), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    chair = owner.listings.get(title="Oak chair")
    # The owner's listings version moves once the change commits.
    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=chair, data={"description": "Solid oak."}, actor=owner)
    changed = client.get(_url(feed), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_revoked_or_wrong_token_or_format_is_404(owner, feed):
    assert Client().get(f"/feeds/{feed.token}/ebay.csv").status_code == 404
    assert Client().get(f"/feeds/{'x' * 43}/shopify.csv").status_code == 404
    services.feed_revoke(feed=feed, actor=owner)
    assert Client().get(_url(feed)).status_code == 404


def test_each_feed_has_its_own_rate_limit(settings, feed):
    settings.RATE_LIMIT_FEEDS = "2/m"
    client = Client()
    assert [client.get(_url(feed)).status_code for _ in range(3)] == [200, 200, 429]


def test_a_bad_format_or_filter_is_refused(owner):
    with pytest.raises(InvalidInput, match="Use one of"):
        services.feed_create(owner=owner, export_format="sql", query="")
    with pytest.raises(InvalidInput, match="price_min"):
        services.feed_create(owner=owner, export_format="ebay", query="price_min=abc")


def test_the_settings_page_lists_feeds_with_fetches_and_creates_and_revokes(
    owner_client, owner, other_user, feed
):
    Client().get(_url(feed))
    theirs = services.feed_create(owner=other_user, export_format="csv", query="")
    page = owner_client.get("/feeds/").content.decode()
    assert _url(feed) in page and theirs.token not in page
    assert "<td>1</td>" in page
    response = owner_client.post("/feeds/", {"export_format": "meta-catalog", "query": "price_max=50"})
    assert response.status_code == 302
    assert owner.feeds.count() == 2
    assert owner_client.post(f"/feeds/{theirs.pk}/revoke/").status_code == 404
    owner_client.post(f"/feeds/{feed.pk}/revoke/")
    assert not Feed.objects.filter(pk=feed.pk).exists()


def test_the_page_refuses_a_bad_format_naming_the_field(owner_client, owner):
    # Through the API's serializer, so both doors refuse it (test_api covers that one).
    page = owner_client.post("/feeds/", {"export_format": "pdf", "query": ""})
    assert page.status_code == 400
    assert "export_format: " in page.content.decode()
    assert not owner.feeds.exists()
