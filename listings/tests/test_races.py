"""Requests that meet: real threads, each with its own connection, against PostgreSQL.
Every answer is a 2xx or a 4xx in the API's error shape; none is a 500."""

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts
from listings.models import Listing
from listings.services.bulk import listings_bulk_set
from listings.services.changes import listing_create, listing_delete
from marketplace.tests.threads import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PARALLEL = 6


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {accounts.token_pair_create(user=user)['access']}")
    return client


def new_listing(owner, title="Oak chair") -> Listing:
    return listing_create(owner=owner, data={"title": title, "price": "45", "condition": "New"})


def status_of(result) -> int:
    # A call that raised (the test client re-raises a view's exception) fails here.
    assert not isinstance(result, BaseException), repr(result)
    assert result.status_code < 500, result.content[:300]
    return result.status_code


def test_parallel_deletes_of_one_listing_delete_it_once(owner):
    listing = new_listing(owner)
    clients = [api_for(owner) for _ in range(PARALLEL)]
    results = run_together(*[lambda c=c: c.delete(f"/api/listings/{listing.pk}/") for c in clients])
    codes = sorted(status_of(result) for result in results)
    assert codes == [204] + [404] * (PARALLEL - 1)
    gone = next(result for result in results if result.status_code == 404).json()
    assert set(gone) == {"detail", "errors"}
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_delete_beside_edits_of_one_listing(owner):
    listing = new_listing(owner)
    clients = [api_for(owner) for _ in range(PARALLEL)]
    calls = [lambda: clients[0].delete(f"/api/listings/{listing.pk}/")] + [
        lambda c=c, n=n: c.patch(f"/api/listings/{listing.pk}/", {"title": f"Edit {n}"}, format="json")
        for n, c in enumerate(clients[1:])
    ]
    codes = [status_of(result) for result in run_together(*calls)]
    assert codes[0] == 204
    assert set(codes[1:]) <= {200, 404}
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_undo_and_redo_beside_writes_of_the_same_user(owner):
    listings = [new_listing(owner, f"Chair {n}") for n in range(4)]
    for listing in listings[:2]:
        listing_delete(listing=listing, actor=owner)  # undo will re-create them, ids and all
    listings_bulk_set(listings=Listing.objects.filter(owner=owner), values={"price": "50"}, actor=owner)
    clients = [api_for(owner) for _ in range(8)]
    calls = [
        lambda: clients[0].post("/api/listings/undo/"),
        lambda: clients[1].post("/api/listings/undo/"),
        lambda: clients[2].post("/api/listings/undo/"),
        lambda: clients[3].post("/api/listings/redo/"),
        lambda: clients[4].patch(
            "/api/listings/bulk/", {"ids": [listings[3].pk], "set": {"price": "9"}}, format="json"
        ),
        lambda: clients[5].patch(f"/api/listings/{listings[2].pk}/", {"title": "Renamed"}, format="json"),
        lambda: clients[6].post("/api/listings/undo/"),
        lambda: clients[7].post("/api/listings/redo/"),
    ]
    codes = [status_of(result) for result in run_together(*calls)]
    assert set(codes) <= {200, 404, 409}, codes
    # Whatever the order, the ids are unique and every step left the stacks consistent.
    ids = list(Listing.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))


def test_two_undos_of_one_delete_re_create_it_once(owner):
    listing = new_listing(owner)
    listing_delete(listing=listing, actor=owner)
    clients = [api_for(owner) for _ in range(PARALLEL)]
    results = run_together(*[lambda c=c: c.post("/api/listings/undo/") for c in clients])
    codes = [status_of(result) for result in results]
    # One undoes the delete, one the create before it; the rest find nothing to undo.
    assert sorted(codes) == [200, 200] + [409] * (PARALLEL - 2)
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_redo_beside_an_edit_of_the_listing_it_restores(owner):
    # Redo locks its step, then writes the listing; an edit locks the listing, then
    # clears the redo stack (that step). Unserialised, each waited for the other.
    listing = new_listing(owner)
    redo_client, edit_client = api_for(owner), api_for(owner)
    for round_ in range(8):
        assert (
            status_of(
                edit_client.patch(f"/api/listings/{listing.pk}/", {"price": str(10 + round_)}, format="json")
            )
            == 200
        )
        assert status_of(redo_client.post("/api/listings/undo/")) == 200
        results = run_together(
            lambda: redo_client.post("/api/listings/redo/"),
            lambda n=round_: edit_client.patch(
                f"/api/listings/{listing.pk}/", {"title": f"Edit {n}"}, format="json"
            ),
        )
        redo, edit = (status_of(result) for result in results)
        assert (redo, edit) in {(200, 200), (409, 200)}
