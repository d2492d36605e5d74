"""The search index of listings on PostgreSQL (``listing_search``, a trigram index
kept by triggers; migrations 0003_api_search_trgm and 0008_search_deferred).

A write of a few listings indexes them in its own statement. A large write calls
``search_defer_indexing`` first: its listings are only noted as pending, which
saves it ~60 µs a row, and ``search_index_pending`` (a task for
``manage.py db_worker``) indexes them set-wise after the commit. Search scans the
pending listings' rows meanwhile (``listings.selectors.search_q``).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django_tasks import task

# The fields ``listing_search_text`` reads.
SEARCH_FIELDS = frozenset({"title", "description", "category"})
# A write of more listings than this defers their indexing to the worker.
DEFER_ROWS = 1000
# Listings the worker indexes per transaction.
INDEX_CHUNK = 5000


@contextmanager
def search_indexing_deferred(defer: bool) -> Iterator[None]:
    """With ``defer``, the listing writes in this block (and the rest of the
    transaction) leave their search text to the worker, which is asked to index it
    once the transaction commits."""
    if not defer or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('listing_search.defer', 'on', true)")
    yield
    transaction.on_commit(search_index_pending.enqueue)


@task()
def search_index_pending() -> int:
    """Index every pending listing, ``INDEX_CHUNK`` per transaction; returns how many.
    Listings a write in progress holds are left for the task that write enqueues."""
    indexed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM listing_search_pending WHERE listing_id IN ("
                " SELECT listing_id FROM listing_search_pending ORDER BY listing_id LIMIT %s"
                " FOR UPDATE SKIP LOCKED) RETURNING listing_id",
                [INDEX_CHUNK],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            # FOR SHARE: a listing an uncommitted write changed is read as that write
            # leaves it (this waits for it), not as this statement's snapshot saw it.
            cursor.execute(
                "INSERT INTO listing_search (listing_id, text) SELECT id, text FROM ("
                " SELECT l.id, listing_search_text(l.title, l.description, l.category) AS text"
                " FROM listings_listing AS l WHERE l.id = ANY(%s) FOR SHARE OF l) AS locked"
                " ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text",
                [ids],
            )
            indexed += len(ids)
    if indexed and not connection.in_atomic_block:
        # What autovacuum would do a minute later, done now: the emptied pending table
        # gives its pages back (search reads it on every query), and the trigram
        # index's own pending list, which every search scans, is merged in.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM listing_search_pending, listing_search")
    return indexed
