"""Reads of listings: the count kept under the owner's listing revision."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from listings.selectors import listings_count, listings_filtered
from listings.services.changes import listing_create, listing_delete, listing_update
from listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.redis]


def count(user, **params) -> int:
    return listings_count(user, listings_filtered(user, params), params)


def count_queries(captured) -> int:
    return sum("COUNT(*)" in query["sql"] for query in captured.captured_queries)


def test_a_count_is_kept_until_the_owners_listings_change(owner, other_user, django_assert_num_queries):
    ListingFactory.create_batch(3, owner=owner, condition="New")
    ListingFactory(owner=other_user, condition="New")
    assert count(owner, condition="New") == 3
    # Kept: only the revision is read.
    with django_assert_num_queries(1):
        assert count(owner, condition="New") == 3
    # A write through the engine, a delete, and a write around it (a factory) each count again.
    created = listing_create(owner=owner, data={"title": "Lamp", "price": "5", "condition": "New"})
    assert count(owner, condition="New") == 4
    listing_update(listing=created, data={"condition": "Used - Good"}, actor=owner)
    assert count(owner, condition="New") == 3
    assert count(owner) == 4
    listing_delete(listing=created, actor=owner)
    assert count(owner) == 3
    ListingFactory(owner=owner, condition="New")
    assert count(owner, condition="New") == 4
    # Another owner's write leaves this owner's kept count alone, and theirs is their own.
    with django_assert_num_queries(1):
        assert count(owner, condition="New") == 4
    assert count(other_user, condition="New") == 1


def test_each_filter_has_its_own_count(owner):
    ListingFactory(owner=owner, condition="New", offer_shipping=True, price=10)
    ListingFactory(owner=owner, condition="Used - Good", offer_shipping=False, price=30)
    assert count(owner) == 2
    assert count(owner, condition="New") == 1
    assert count(owner, offer_shipping="no") == 1
    assert count(owner, price_min="20") == 1
    assert count(owner, price_min="40") == 0
    assert count(owner, ordering="-price") == 2


def test_a_rolled_back_write_never_lends_its_count_to_a_later_one(owner):
    ListingFactory(owner=owner)
    assert count(owner) == 1
    with transaction.atomic():
        ListingFactory(owner=owner)
        assert count(owner) == 2
        transaction.set_rollback(True)
    assert count(owner) == 1
    ListingFactory(owner=owner)
    assert count(owner) == 2


def test_search_and_other_apps_filters_are_counted_every_time(owner):
    ListingFactory(owner=owner, title="Oak chair")
    for params in ({"q": "oak"}, {"facebook": "ready"}):
        first = count(owner, **params)
        with CaptureQueriesContext(connection) as captured:
            assert count(owner, **params) == first
        assert count_queries(captured) == 1


def test_a_truncate_retires_every_count(owner):
    ListingFactory(owner=owner)
    assert count(owner) == 1
    with connection.cursor() as cursor:
        # The test's own transaction still holds the factory's deferred key checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE listings_listing CASCADE")
    assert count(owner) == 0
