"""``/api/audit/`` and the history page read their query through
``AuditFilterSerializer``: a kind, an exact action or a family (``listing.``), an
object id, and dates; a bad value is refused naming it, with one message at both doors."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from listings.services.changes import listing_create, listing_delete, listing_update

pytestmark = pytest.mark.django_db


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
        ({"date_from": "2026-02-01"}, {"listing.update", "listing.create", "listing.delete"}),
        ({"date_to": "2026-01-10"}, {"listing.create"}),
        ({"date_from": "2026-01-11T00:00:00Z", "date_to": "2026-02-09"}, set()),
    ],
)
def test_the_api_selects_entries_by_action_family_and_dates(api, entries, query, actions):
    body = api.get("/api/audit/", query).json()
    assert {entry["action"] for entry in body["results"]} == actions


def test_object_id_filters(api, entries):
    body = api.get("/api/audit/", {"object_id": str(entries.pk)}).json()
    assert [entry["action"] for entry in body["results"]] == ["listing.update", "listing.create"]


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
def test_a_bad_filter_is_refused_naming_it(api, entries, query, field, message):
    response = api.get("/api/audit/", query)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "yesterday"}, "From", "“yesterday” is not a date such as 2026-01-31."),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "To", "The end comes before the start."),
    ],
)
def test_the_history_page_refuses_what_the_api_refuses_with_its_message(
    owner_client, entries, query, field, message
):
    page = owner_client.get(reverse("audit:history"), query)
    assert page.status_code == 400
    assert f"{field}: {message}" in page.content.decode()
    partial = owner_client.get(reverse("audit:history"), query, HTTP_HX_REQUEST="true")
    assert partial.status_code == 422
    assert message in partial.content.decode()


def test_the_history_pages_kind_and_dates_select_what_the_api_selects(api, owner_client, entries):
    query = {"kind": "listings-edited", "date_from": "2026-02-01"}
    body = api.get("/api/audit/", query).json()
    assert {entry["action"] for entry in body["results"]} == {"listing.update"}
    page = owner_client.get(reverse("audit:history"), query).content.decode()
    assert page.count('class="operation"') == 1
    assert "Nothing recorded" not in page
