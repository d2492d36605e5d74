"""One rule, every door: the same input sent through the grid, the API and the admin
(and, for selections, exports) is accepted or refused alike, with the same words."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from listings.models import Listing
from listings.tests.admin_actions import messages_of, run_action
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    text: str  # what the door shows: the page, the grid message, or the API's messages


Door = Callable[[Listing, str, object], Outcome]


@pytest.fixture
def doors(owner, staff) -> dict[str, Door]:
    grid, admin, api = Client(), Client(), APIClient()
    grid.force_login(owner)
    admin.force_login(staff)
    api.force_authenticate(owner)

    def through_grid(listing, kind, value):
        data = {"ids": [listing.pk], "kind": kind, "change": value}
        response = grid.post(reverse("listings:bulk", args=["price"]), data, **HTMX)
        return Outcome(response.status_code == 200, response.content.decode())

    def through_api(listing, kind, value):
        body = {"ids": [listing.pk], "price_adjust": {kind: value}}
        response = api.patch("/api/listings/bulk/", body, format="json")
        messages = " ".join(error["message"] for error in response.json().get("errors", []))
        return Outcome(response.status_code == 200, messages)

    def through_admin(listing, kind, value):
        _, done = run_action(admin, "adjust_price", [listing], {"kind": kind, "change": value})
        accepted = "Prices adjusted on 1 listing." in messages_of(done)
        return Outcome(accepted, done.content.decode())

    return {"grid": through_grid, "api": through_api, "admin": through_admin}


DOORS = ("grid", "api", "admin")


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("percent", "-150", "The percentage must be from -99.99 to 1,000."),
        ("percent", "-100", "The percentage must be from -99.99 to 1,000."),
        ("percent", "1000.01", "The percentage must be from -99.99 to 1,000."),
        ("percent", "1.005", "The percentage can have at most 2 decimals."),
        ("amount", "1.005", "The amount can have at most 2 decimals."),
        ("amount", "100000000", "The amount must be from -99,999,999.99 to 99,999,999.99."),
        ("percent", "abc", "“abc” is not a number."),
        ("amount", "", "Enter the amount as a number."),
        ("percent", "NaN", "The percentage must be from -99.99 to 1,000."),
    ],
)
def test_a_bad_price_adjust_is_refused_alike_at_every_door(doors, owner, door, kind, value, message):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    outcome = doors[door](listing, kind, value)

    assert not outcome.accepted
    assert message in outcome.text
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    assert not AuditEntry.objects.filter(action="listing.price_adjust").exists()


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("percent", "-10", Decimal("40.50")),
        ("percent", "-99.99", Decimal("0.00")),
        ("percent", "1000", Decimal("495.00")),
        ("percent", "12.5", Decimal("50.63")),
        ("amount", "5.25", Decimal("50.25")),
        # Never below 0: a cut bigger than the price leaves it free.
        ("amount", "-100", Decimal("0.00")),
    ],
)
def test_a_good_price_adjust_gives_the_same_price_at_every_door(doors, owner, door, kind, value, expected):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    outcome = doors[door](listing, kind, value)

    assert outcome.accepted, outcome.text[:500]
    listing.refresh_from_db()
    assert listing.price == expected


def test_the_api_reads_a_json_number_as_written(api, owner):
    """1.005 sent as a JSON number is three decimals, refused as the grid refuses "1.005"."""
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    response = api.patch(
        "/api/listings/bulk/", {"ids": [listing.pk], "price_adjust": {"amount": 1.005}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "price_adjust.amount", "message": "The amount can have at most 2 decimals."}
    ]


def test_the_largest_price_is_a_ceiling(api, owner):
    listing = ListingFactory(owner=owner, price=Decimal("99999999.00"))
    response = api.patch(
        "/api/listings/bulk/", {"ids": [listing.pk], "price_adjust": {"percent": "1000"}}, format="json"
    )
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.price == Decimal("99999999.99")


# --- Selections: one cap (settings.SELECTION_MAX_IDS) for the grid, API and exports --


@pytest.fixture
def small_cap(settings):
    settings.SELECTION_MAX_IDS = 2
    return "Select at most 2 listings one by one (3 sent); use a filter for more."


def test_too_many_ids_are_refused_alike_by_grid_api_and_export(client, api, owner, small_cap):
    rows = ListingFactory.create_batch(3, owner=owner)
    ids = [row.pk for row in rows]
    client.force_login(owner)

    grid = client.post(reverse("listings:bulk", args=["delete"]), {"ids": ids, "confirm": "yes"}, **HTMX)
    through_api = api.delete("/api/listings/bulk/", {"ids": ids}, format="json")
    export = api.get("/api/export/csv/", {"scope": "selected", "ids": ",".join(map(str, ids))})

    assert grid.status_code == 422
    assert small_cap in grid.content.decode()
    assert through_api.status_code == 400
    assert through_api.json()["errors"] == [{"field": "ids", "message": small_cap}]
    assert export.status_code == 400
    assert export.json()["errors"] == [{"field": "ids", "message": small_cap}]
    assert Listing.objects.count() == 3


def test_as_many_ids_as_the_cap_are_accepted(client, api, owner, small_cap):
    rows = ListingFactory.create_batch(2, owner=owner)
    client.force_login(owner)
    grid = client.post(
        reverse("listings:bulk", args=["set"]),
        {"ids": [rows[0].pk, rows[1].pk], "field": "condition", "value": "Used - Good"},
        **HTMX,
    )
    assert grid.status_code == 200
    through_api = api.patch(
        "/api/listings/bulk/", {"ids": [row.pk for row in rows], "set": {"condition": "New"}}, format="json"
    )
    assert through_api.json() == {"count": 2}


@pytest.mark.parametrize("bad_id", ["x", "-1", "9" * 30])
def test_a_bad_id_is_named_alike_by_grid_and_api(client, api, owner, bad_id):
    client.force_login(owner)
    message = f"“{bad_id}” is not a listing id."
    grid = client.post(reverse("listings:bulk", args=["delete"]), {"ids": [bad_id]}, **HTMX)
    through_api = api.delete("/api/listings/bulk/", {"ids": [bad_id]}, format="json")
    assert grid.status_code == 422
    assert message in grid.content.decode()
    assert through_api.status_code == 400
    assert through_api.json()["errors"] == [{"field": "ids", "message": message}]


# --- Inventory fields: one rule at the grid's cell, the API and the admin ----------


@pytest.fixture
def field_doors(owner, staff) -> dict[str, Door]:
    grid, admin, api = Client(), Client(), APIClient()
    grid.force_login(owner)
    admin.force_login(staff)
    api.force_authenticate(owner)

    def through_grid(listing, field, value):
        url = f"/listings/{listing.pk}/cells/{field}/"
        response = grid.post(url, {"value": value, "version": listing.version}, **HTMX)
        return Outcome(response.status_code == 200, response.content.decode())

    def through_api(listing, field, value):
        response = api.patch(f"/api/listings/{listing.pk}/", {field: value}, format="json")
        messages = " ".join(error["message"] for error in response.json().get("errors", []))
        return Outcome(response.status_code == 200, messages)

    def through_admin(listing, field, value):
        data = {
            name: getattr(listing, name) for name in ("title", "price", "condition", "status", "quantity")
        }
        data.update(description=listing.description, category=listing.category, sku=listing.sku)
        data[field] = value
        response = admin.post(reverse("admin:listings_listing_change", args=[listing.pk]), data)
        return Outcome(response.status_code == 302, response.content.decode())

    return {"grid": through_grid, "api": through_api, "admin": through_admin}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "-1", "The quantity cannot be negative."),
        ("quantity", "2.5", "“2.5” is not a whole number of items."),
        ("sku", "S" * 65, "The SKU has 65 characters; the most is 64."),
        ("sku", "taken-1", "is already used by listing"),
    ],
)
def test_a_bad_inventory_value_is_refused_alike_at_every_door(
    field_doors, owner, door, field, value, message
):
    ListingFactory(owner=owner, sku="TAKEN-1", title="Holder")
    listing = ListingFactory(owner=owner, sku="MINE-1", quantity=2)

    outcome = field_doors[door](listing, field, value)

    assert not outcome.accepted
    assert message in outcome.text
    listing.refresh_from_db()
    assert (listing.sku, listing.quantity, listing.version) == ("MINE-1", 2, 1)


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("status", "listed", "listed"),
        ("quantity", "7", 7),
        ("sku", " AB-9 ", "AB-9"),
        ("notes", "Shelf 3", "Shelf 3"),
    ],
)
def test_a_good_inventory_value_is_stored_alike_at_every_door(field_doors, owner, door, field, value, stored):
    listing = ListingFactory(owner=owner)

    outcome = field_doors[door](listing, field, value)

    assert outcome.accepted, outcome.text
    listing.refresh_from_db()
    assert getattr(listing, field) == stored


@pytest.mark.parametrize("door", DOORS)
def test_marking_listings_sold_is_one_undo_step_at_every_door(owner, staff, door):
    listings = ListingFactory.create_batch(3, owner=owner, status="listed")
    if door == "grid":
        client = Client()
        client.force_login(owner)
        data = {"ids": [listing.pk for listing in listings], "field": "status", "value": "sold"}
        response = client.post(reverse("listings:bulk", args=["set"]), data, **HTMX)
        assert "Set status on 3 listings." in response.content.decode()
    elif door == "api":
        api = APIClient()
        api.force_authenticate(owner)
        body = {"ids": [listing.pk for listing in listings], "set": {"status": "sold"}}
        assert api.patch("/api/listings/bulk/", body, format="json").json() == {"count": 3}
    else:
        admin = Client()
        admin.force_login(staff)
        page, _ = run_action(admin, "mark_sold", listings)
        assert "Marked 3 listings as sold." in messages_of(page)

    sold = Listing.objects.filter(pk__in=[listing.pk for listing in listings])
    assert set(sold.values_list("status", flat=True)) == {"sold"}
    assert all(sold.values_list("sold_at", flat=True))
    batches = set(AuditEntry.objects.filter(action="listing.bulk_set").values_list("batch", flat=True))
    assert len(batches) == 1
