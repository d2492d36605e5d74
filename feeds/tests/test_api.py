"""``/api/feeds/`` (JWT): list, create and revoke feeds through the page's services;
each user sees and revokes only their own feeds, and a revoked feed's URL is a 404."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from audit.models import AuditEntry
from feeds import services
from feeds.models import Feed
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def _jwt(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_create_list_and_revoke_a_feed_with_a_jwt(owner):
    ListingFactory(owner=owner, title="Oak chair", description="Solid.", price=120)
    api = _jwt(owner)

    created = api.post("/api/feeds/", {"export_format": "shopify", "query": "?price_min=100"}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    feed = Feed.objects.get(owner=owner)
    assert body["url"] == f"http://testserver/feeds/{feed.token}/shopify.csv"
    assert (body["export_format"], body["query"], body["fetch_count"]) == ("shopify", "price_min=100", 0)
    assert AuditEntry.objects.filter(action="feed.create", object_id=str(feed.pk)).exists()
    assert Client().get(body["url"]).status_code == 200

    listed = api.get("/api/feeds/").json()
    assert [item["id"] for item in listed] == [feed.pk]
    assert listed[0]["fetch_count"] == 1 and listed[0]["last_fetched_at"]

    assert api.delete(f"/api/feeds/{feed.pk}/").status_code == 204
    assert Client().get(body["url"]).status_code == 404
    assert api.get("/api/feeds/").json() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"export_format": "pdf"},
            "export_format",
            "Use one of: meta-catalog, ebay, shopify, woocommerce, csv.",
        ),
        ({"export_format": "ebay", "query": "status=gone"}, "query", "status:"),
        ({"query": "status=listed"}, "export_format", "required"),
    ],
)
def test_a_bad_feed_is_refused_naming_the_field(owner, body, field, message):
    response = _jwt(owner).post("/api/feeds/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and message in errors[0]["message"], errors
    assert not Feed.objects.exists()


def test_the_page_and_the_api_refuse_a_bad_format_alike(owner, client):
    client.force_login(owner)
    page = client.post("/feeds/", {"export_format": "pdf", "query": ""})
    api = _jwt(owner).post("/api/feeds/", {"export_format": "pdf"}, format="json")
    assert page.status_code == api.status_code == 400
    assert api.json()["errors"][0]["message"] in page.content.decode()


def test_another_users_feed_is_not_found_and_stays(owner, other_user):
    theirs = services.feed_create(owner=other_user, export_format="ebay", query="")
    api = _jwt(owner)
    assert api.get(f"/api/feeds/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/feeds/{theirs.pk}/").status_code == 404
    assert api.get("/api/feeds/").json() == []
    assert Feed.objects.filter(pk=theirs.pk).exists()


def test_the_feeds_api_needs_a_login():
    assert APIClient().get("/api/feeds/").status_code == 401
    assert APIClient().post("/api/feeds/", {"export_format": "ebay"}, format="json").status_code == 401


def test_the_schema_names_the_feed_and_photo_link_operations():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operations = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }
    assert {"feeds_list", "feeds_create", "feed_read", "feed_revoke"} <= operations
    assert {"photo_links_read", "photo_links_change"} <= operations
