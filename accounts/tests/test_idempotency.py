"""Bulk actions apply once per key: the grid's one-time token and the API's
Idempotency-Key header (accounts/idempotency.py)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.idempotency import KEY_LIFETIME
from accounts.models import IdempotentRequest
from listings.models import Listing, UndoStep
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def _adjust(client, listing, token, change="-10"):
    data = {"ids": [listing.pk], "change": change, "kind": "percent"}
    if token is not None:
        data["idempotency_key"] = token
    return client.post("/listings/bulk/price/", data, HTTP_HX_REQUEST="true")


def _price(listing):
    listing.refresh_from_db()
    return listing.price


def test_a_repeated_grid_bulk_action_is_answered_with_the_first_result_and_applied_once(owner_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("273.76"))
    first = _adjust(owner_client, listing, "token-1")
    again = _adjust(owner_client, listing, "token-1")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert "Adjusted the price of 1 listing by -10 %." in again.content.decode()
    # The page listens for these: a replay says the same, so it refreshes the same.
    assert again["HX-Trigger"] == first["HX-Trigger"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert _price(listing) == Decimal("246.38")
    assert UndoStep.objects.filter(user=owner).count() == 1


def test_a_new_token_applies_again_and_no_token_runs_as_before(owner_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    _adjust(owner_client, listing, "token-1")
    _adjust(owner_client, listing, "token-2")
    assert _price(listing) == Decimal("81.00")
    _adjust(owner_client, listing, None)
    _adjust(owner_client, listing, None)
    assert _price(listing) == Decimal("65.61")


def test_a_refused_request_keeps_no_key_so_the_fixed_one_applies(owner_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    refused = _adjust(owner_client, listing, "token-1", change="ten")
    assert refused.status_code == 422
    assert not IdempotentRequest.objects.exists()
    # The same key with a different body is a different request; once fixed it
    # is the first to be kept.
    assert _adjust(owner_client, listing, "token-1").status_code == 200
    assert _price(listing) == Decimal("90.00")


def test_the_same_key_with_another_request_is_refused(owner_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    _adjust(owner_client, listing, "token-1")
    reused = _adjust(owner_client, listing, "token-1", change="-50")
    assert reused.status_code == 422
    assert "different request" in reused.content.decode()
    assert _price(listing) == Decimal("90.00")


def test_keys_are_per_user(owner_client, owner, other_user):
    mine = ListingFactory(owner=owner, price=Decimal("100.00"))
    theirs = ListingFactory(owner=other_user, price=Decimal("100.00"))
    other = Client()
    other.force_login(other_user)
    _adjust(owner_client, mine, "shared-key")
    # The other user's first use of the same key runs, on their own listing; it
    # neither replays the owner's answer nor touches the owner's listing.
    response = _adjust(other, theirs, "shared-key")
    assert "Idempotent-Replayed" not in response
    assert _price(theirs) == Decimal("90.00")
    assert _price(mine) == Decimal("90.00")


def test_an_expired_key_runs_again(owner_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    _adjust(owner_client, listing, "token-1")
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _adjust(owner_client, listing, "token-1")
    assert _price(listing) == Decimal("81.00")
    record = IdempotentRequest.objects.get()
    assert record.expires_at - record.created_at == KEY_LIFETIME


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_malformed_key_is_a_400(api, owner, key):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    response = api.patch(
        "/api/listings/bulk/",
        {"ids": [listing.pk], "price_adjust": {"percent": "-10"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _price(listing) == Decimal("100.00")


def test_api_bulk_endpoints_take_an_idempotency_key(api, owner):
    listing = ListingFactory(owner=owner, price=Decimal("200.00"), title="Brass lamp")
    body = {"ids": [listing.pk], "price_adjust": {"percent": "-10"}}
    first = api.patch("/api/listings/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    again = api.patch("/api/listings/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert first.json() == again.json() == {"count": 1}
    assert again["Idempotent-Replayed"] == "true"
    assert _price(listing) == Decimal("180.00")

    replace = {"ids": [listing.pk], "fields": ["title"], "find": "Brass", "replace": "Brasss"}
    for _ in range(2):
        response = api.post("/api/listings/find-replace/", replace, format="json", HTTP_IDEMPOTENCY_KEY="a2")
        assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "Brasss lamp"

    for _ in range(2):
        duplicate = api.post(f"/api/listings/{listing.pk}/duplicate/", HTTP_IDEMPOTENCY_KEY="a3")
        assert duplicate.status_code == 201
    assert Listing.objects.filter(title="Brasss lamp").count() == 2
    # The replay carries the copy's ETag too.
    assert duplicate["ETag"]

    items = {"items": [{"title": "New one", "price": "5"}]}
    created = [
        api.post("/api/listings/bulk/", items, format="json", HTTP_IDEMPOTENCY_KEY="a4") for _ in range(2)
    ]
    assert created[0].json() == created[1].json()
    assert Listing.objects.filter(title="New one").count() == 1

    reused = api.post("/api/listings/bulk/", {"items": []}, format="json", HTTP_IDEMPOTENCY_KEY="a4")
    assert reused.status_code == 422
    assert reused.json()["detail"] == "This Idempotency-Key was used for a different request."


def test_a_jwt_client_is_the_keys_owner(owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    body = {"ids": [listing.pk], "price_adjust": {"amount": "-5"}}
    for _ in range(2):
        client.patch("/api/listings/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="jwt-1")
    assert _price(listing) == Decimal("95.00")
    assert IdempotentRequest.objects.get().user == owner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_repeats_sent_at_the_same_moment_apply_once(owner):
    """A double-click's two requests race: the second waits on the key's unique
    index until the first commits, then answers with its result."""
    listing = ListingFactory(owner=owner, price=Decimal("273.76"))
    start = threading.Barrier(2)
    answers = []

    def send():
        client = Client()
        client.force_login(owner)
        start.wait()
        try:
            answers.append(_adjust(client, listing, "race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert sorted("Idempotent-Replayed" in answer for answer in answers) == [False, True]
    assert _price(listing) == Decimal("246.38")
