"""The search index on PostgreSQL: a large write leaves its listings pending for the
worker, and search finds every listing as it is now before and after the worker ran."""

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from listings.models import Listing
from listings.search import search_index_pending
from listings.selectors import search_q
from listings.services import changes
from listings.services.bulk import listings_bulk_delete, listings_bulk_set
from listings.services.changes import listings_create_many
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.postgres


def _pending() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT listing_id FROM listing_search_pending")
        return {row[0] for row in cursor.fetchall()}


def _indexed_text(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM listing_search WHERE listing_id = %s", [pk])
        return cursor.fetchone()[0]


def _found(owner, words: str) -> set[int]:
    return set(Listing.objects.filter(search_q(words), owner=owner).values_list("id", flat=True))


@pytest.fixture
def large_from_three(monkeypatch):
    """Three listings make a large write, so a test need not write a thousand."""
    monkeypatch.setattr(changes, "DEFER_ROWS", 2)


def test_a_small_write_indexes_its_listings_at_once(owner):
    listing = ListingFactory(owner=owner, category="")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=listing.pk), values={"category": "Lamps"}, actor=owner
    )
    assert not _pending()
    assert "LAMPS" in _indexed_text(listing.pk)
    assert _found(owner, "lamps") == {listing.pk}


# Committed for real: the task is enqueued on commit, and the worker closes connections.
@pytest.mark.django_db(transaction=True)
def test_a_large_edit_leaves_the_index_to_the_worker_and_search_scans_meanwhile(owner, large_from_three):
    listings = ListingFactory.create_batch(3, owner=owner, category="Chairs")
    ids = {listing.pk for listing in listings}
    listings_bulk_set(listings=Listing.objects.filter(owner=owner), values={"category": "Lamps"}, actor=owner)
    assert _pending() == ids
    assert "CHAIRS" in _indexed_text(listings[0].pk)  # stale until the worker runs...
    assert _found(owner, "lamps") == ids  # ...yet search reads the listings as they are
    assert _found(owner, "chairs") == set()
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "listings.search.search_index_pending"

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.exception_class_path
    assert not _pending()
    assert "LAMPS" in _indexed_text(listings[0].pk)
    assert _found(owner, "lamps") == ids
    assert _found(owner, "chairs") == set()


def test_an_edit_that_leaves_the_text_alone_is_not_pending(owner, large_from_three):
    ListingFactory.create_batch(3, owner=owner)
    listings_bulk_set(listings=Listing.objects.filter(owner=owner), values={"condition": "New"}, actor=owner)
    assert not _pending()


def test_large_creates_are_found_before_and_after_indexing_and_deletes_leave_nothing(owner, large_from_three):
    rows = [{"title": f"Brass lamp {n}", "price": 10, "description": "", "category": ""} for n in range(3)]
    ids = set(listings_create_many(owner=owner, rows=rows))
    assert _pending() == ids
    assert _found(owner, "brass lamp") == ids
    assert search_index_pending.call() == 3
    assert not _pending()
    assert _found(owner, "brass lamp") == ids

    listings_create_many(owner=owner, rows=rows)
    assert len(_pending()) == 3
    listings_bulk_delete(listings=Listing.objects.filter(owner=owner), actor=owner)
    assert not _pending()
    assert _found(owner, "brass") == set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listing_search")
        assert cursor.fetchone()[0] == 0
