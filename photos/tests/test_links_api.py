"""``/api/photos/links/`` (JWT): publish, revoke and unpublish the seller's photo
links through the page's services, and read each listing's links; only one's own."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from audit.models import AuditEntry
from listings.tests.factories import ListingFactory
from photos.tests.test_links import _photo

pytestmark = pytest.mark.django_db


def _jwt(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_publish_read_revoke_and_unpublish_links_with_a_jwt(owner):
    listing = ListingFactory(owner=owner, title="Oak table")
    _photo(listing, owner)
    api = _jwt(owner)
    assert api.get("/api/photos/links/").json() == {"published": False, "since": None}

    published = api.post("/api/photos/links/", {"action": "publish"}, format="json")
    assert published.status_code == 200
    assert published.json()["published"] is True and published.json()["since"]
    (url,) = api.get("/api/photos/links/", {"listings": str(listing.pk)}).json()["links"][str(listing.pk)]
    assert url.startswith("http://testserver/p/")
    assert Client().get(url).status_code == 200

    assert api.post("/api/photos/links/", {"action": "revoke"}, format="json").status_code == 200
    assert Client().get(url).status_code == 404
    (new_url,) = api.get("/api/photos/links/", {"listings": str(listing.pk)}).json()["links"][str(listing.pk)]
    assert new_url != url and Client().get(new_url).status_code == 200

    unpublished = api.post("/api/photos/links/", {"action": "unpublish"}, format="json").json()
    assert unpublished == {"published": False, "since": None}
    assert Client().get(new_url).status_code == 404
    actions = set(AuditEntry.objects.filter(actor=owner).values_list("action", flat=True))
    assert {"photo_links.publish", "photo_links.revoke", "photo_links.unpublish"} <= actions


def test_another_users_listing_has_no_links_for_me(owner, other_user):
    theirs = ListingFactory(owner=other_user)
    _photo(theirs, other_user)
    api_theirs = _jwt(other_user)
    api_theirs.post("/api/photos/links/", {"action": "publish"}, format="json")
    api = _jwt(owner)
    api.post("/api/photos/links/", {"action": "publish"}, format="json")

    mine = api.get("/api/photos/links/", {"listings": str(theirs.pk)}).json()

    assert mine["links"] == {str(theirs.pk): []}
    assert api_theirs.get("/api/photos/links/", {"listings": str(theirs.pk)}).json()["links"][str(theirs.pk)]


@pytest.mark.parametrize(
    ("method", "data", "field"),
    [
        ("post", {"action": "delete-everything"}, "action"),
        ("post", {}, "action"),
        ("get", {"listings": "1,x"}, "listings"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(owner, method, data, field):
    api = _jwt(owner)
    if method == "post":
        response = api.post("/api/photos/links/", data, format="json")
    else:
        response = api.get("/api/photos/links/", data)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_the_links_api_needs_a_login():
    assert APIClient().get("/api/photos/links/").status_code == 401
    assert APIClient().post("/api/photos/links/", {"action": "publish"}, format="json").status_code == 401
