"""The history page and ``/api/audit/`` read one filter (``AuditFilterSerializer``):
the same query selects the same entries, or is refused with the same message."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from listings.services.changes import listing_create, listing_delete, listing_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, owner):
    client.force_login(owner)

    def get(query: dict):
        response = client.get(reverse("audit:history"), query)
        html = response.content.decode()
        ids = {int(part.split('"')[0]) for part in html.split('data-entry-id="')[1:]}
        return response.status_code, ids, html

    return get


@pytest.fixture
def entries(owner, other_user):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)):
        lamp = listing_create(owner=owner, data={"title": "Lamp", "price": 5})
    with time_machine.travel(dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC)):
        lamp = listing_update(listing=lamp, data={"price": 6}, actor=owner)
        chair = listing_create(owner=owner, data={"title": "Chair", "price": 9})
        listing_delete(listing=chair, actor=owner)
    listing_create(owner=other_user, data={"title": "Theirs", "price": 1})
    return lamp


@pytest.mark.parametrize(
    ("query", "actions"),
    [
        ({"action": "listing.update"}, {"listing.update"}),
        ({"action": "listing.create"}, {"listing.create"}),
        # A family: every action that starts with "listing.".
        ({"action": "listing."}, {"listing.create", "listing.update", "listing.delete"}),
        # Without the dot it is an exact action, and there is none called "listing".
        ({"action": "listing"}, set()),
        # The page's client logging in today is in the log too.
        ({"date_from": "2026-02-01"}, {"listing.update", "listing.create", "listing.delete", "login"}),
        ({"date_to": "2026-01-10"}, {"listing.create"}),
        ({"date_from": "2026-01-11T00:00:00Z", "date_to": "2026-02-09"}, set()),
    ],
)
def test_page_and_api_select_the_same_entries(page, api, entries, query, actions):
    status, page_ids, _ = page(query)
    body = api.get("/api/audit/", query).json()

    assert status == 200
    assert page_ids == {entry["id"] for entry in body["results"]}
    assert {entry["action"] for entry in body["results"]} == actions


def test_object_id_filters_at_both_doors(page, api, entries):
    query = {"object_id": str(entries.pk)}
    _, page_ids, _ = page(query)
    body = api.get("/api/audit/", query).json()
    assert len(page_ids) == 2
    assert page_ids == {entry["id"] for entry in body["results"]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "yesterday"}, "date_from", "“yesterday” is not a date such as 2026-01-31."),
        ({"date_to": "2026-13-01"}, "date_to", "“2026-13-01” is not a date such as 2026-01-31."),
        (
            {"date_from": "2026-02-01", "date_to": "2026-01-01"},
            "date_to",
            "The end comes before the start.",
        ),
    ],
)
def test_a_bad_filter_is_refused_alike(page, api, entries, query, field, message):
    status, page_ids, html = page(query)
    response = api.get("/api/audit/", query)

    assert status == 422
    assert page_ids == set()
    assert message in html
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]
