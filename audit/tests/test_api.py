import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from listings.services.changes import listing_create, listing_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_audit_lists_only_the_users_own_entries_newest_first(api, owner, other_user):
    listing = listing_create(owner=owner, data={"title": "Lamp", "price": 5})
    listing_update(listing=listing, data={"price": 6}, actor=owner)
    listing_create(owner=other_user, data={"title": "Theirs", "price": 1})
    body = api.get("/api/audit/").json()
    assert body["count"] == 2
    assert [entry["action"] for entry in body["results"]] == ["listing.update", "listing.create"]
    assert body["results"][0]["changes"] == {"price": ["5.00", "6.00"]}
    assert body["results"][0]["object_id"] == str(listing.pk)


def test_audit_filters_by_action_and_date(api, owner):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)):
        listing = listing_create(owner=owner, data={"title": "Lamp", "price": 5})
    with time_machine.travel(dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC)):
        listing_update(listing=listing, data={"price": 6}, actor=owner)
    assert api.get("/api/audit/?action=listing.create").json()["count"] == 1
    assert api.get("/api/audit/?date_from=2026-02-01").json()["results"][0]["action"] == "listing.update"
    assert api.get("/api/audit/?date_to=2026-01-10").json()["results"][0]["action"] == "listing.create"
    window = "/api/audit/?date_from=2026-01-11T00:00:00Z&date_to=2026-02-09"
    assert api.get(window).json()["count"] == 0


def test_audit_rejects_a_bad_date(api):
    response = api.get("/api/audit/?date_from=yesterday")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date_from"


def test_audit_pages_with_cursors(api, owner):
    listing = listing_create(owner=owner, data={"title": "Lamp", "price": 0})
    for price in range(1, 7):
        listing = listing_update(listing=listing, data={"price": price}, actor=owner)
    first = api.get("/api/audit/?page_size=3").json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    ids = [entry["id"] for page in (first, second, third) for entry in page["results"]]
    assert len(ids) == len(set(ids)) == 7
    assert third["next"] is None


def test_audit_needs_authentication():
    assert APIClient().get("/api/audit/").status_code == 401
