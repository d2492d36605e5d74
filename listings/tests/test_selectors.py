"""Reads of listings: the count kept under the owner's listings version."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from listings.selectors import listings_count, listings_filtered
from listings.services.changes import listing_create, listing_delete, listing_update

# Committed for real: a count is kept only outside a transaction, where it cannot
# include another one's uncommitted writes.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


def count(user, **params) -> int:
    return listings_count(user, listings_filtered(user, params), params)


def counted(user, **params) -> tuple[int, int]:
    """The count, and how many COUNT queries giving it took."""
    with CaptureQueriesContext(connection) as captured:
        number = count(user, **params)
    return number, sum("COUNT(*)" in query["sql"] for query in captured.captured_queries)


def create(owner, **values):
    return listing_create(owner=owner, data={"title": "Lamp", "price": "5", "condition": "New", **values})


def test_a_count_is_kept_until_the_owners_listings_change(owner, other_user):
    for _ in range(3):
        create(owner)
    create(other_user)
    assert counted(owner, condition="New") == (3, 1)
    assert counted(owner, condition="New") == (3, 0)
    # Each change through the write path counts again.
    listing = create(owner)
    assert counted(owner, condition="New") == (4, 1)
    listing_update(listing=listing, data={"condition": "Used - Good"}, actor=owner)
    assert counted(owner, condition="New") == (3, 1)
    assert counted(owner) == (4, 1)
    listing_delete(listing=listing, actor=owner)
    assert counted(owner) == (3, 1)
    assert counted(owner, condition="New") == (3, 1)
    # Another owner's change leaves this owner's kept counts alone.
    create(other_user)
    assert counted(owner, condition="New") == (3, 0)
    assert counted(other_user, condition="New") == (2, 1)


def test_each_filter_has_its_own_count(owner):
    create(owner, price="10", offer_shipping=True)
    create(owner, price="30", condition="Used - Good")
    assert count(owner) == 2
    assert count(owner, condition="New") == 1
    assert count(owner, offer_shipping="no") == 1
    assert count(owner, price_min="20") == 1
    assert count(owner, price_min="40") == 0
    assert counted(owner, ordering="-price") == (2, 0)


def test_inside_a_transaction_nothing_is_kept(owner):
    create(owner)
    with transaction.atomic():
        create(owner)
        assert counted(owner) == (2, 1)
        assert counted(owner) == (2, 1)
        transaction.set_rollback(True)
    assert counted(owner) == (1, 1)


def test_search_and_other_apps_filters_are_counted_every_time(owner):
    create(owner, title="Oak chair")
    assert counted(owner, q="oak") == counted(owner, q="oak") == (1, 1)
    first, _ = counted(owner, facebook="not_ready")
    assert counted(owner, facebook="not_ready") == (first, 1)
