"""Server time of the insights page and ``GET /api/insights/`` on 100,000 listings in
PostgreSQL, cold three ways and warm (from the cache). Prints figures; asserts nothing.

- cold after an edit: one listing's price changed through the write path, so the
  figures are read again and the block of kept counts holding it (``insights.selectors``);
- cold, nothing kept: every block read (as after a deploy that changes the figures'
  shape, or a seller's first visit);
- cold, version bumped only: the figures read again, every block still kept.

    python bench/insights.py   # database mbe_insights_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/insights.py   # 1,000 listings, 5 requests each

The account is rebuilt on every run (COPY; demo rows: a tenth listed and last changed
40 days ago, a tenth sold over twelve weeks, a tenth archived). Requests go through
the whole Django stack in-process. The peer is the Flask API's analytics summary
(``/api/analytics/summary``: counts, prices and top categories, uncached); the limit
is one ``count(*)`` of the seller's listings, the least any figure over all of them
costs.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("RATELIMIT_ENABLE", "0")

from _setup import SMOKE, build_account, ensure_database, report, rows, summary, timed_get, use_bench_database

use_bench_database("insights")
ROWS = rows(100_000)
REPEATS = 5 if SMOKE else 30
EMAIL = "bench-insights@example.com"

ensure_database("bench/insights.py")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

import insights.selectors  # noqa: E402
from listings.freshness import listings_changed  # noqa: E402
from listings.models import Listing  # noqa: E402
from listings.services.bulk import listings_bulk_set  # noqa: E402


def _mix_statuses(user) -> None:
    # Only the bench's own account: a tenth listed and unchanged for 40 days (stale),
    # a tenth sold over the last twelve weeks, a tenth archived; the rest ready.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE listings_listing SET status = 'listed', updated_at = now() - interval '40 days' "
            "WHERE owner_id = %s AND id %% 10 = 0",
            [user.pk],
        )
        cursor.execute(
            "UPDATE listings_listing SET status = 'sold', sold_at = now() - (id %% 84) * interval '1 day' "
            "WHERE owner_id = %s AND id %% 10 = 1",
            [user.pk],
        )
        cursor.execute(
            "UPDATE listings_listing SET status = 'archived' WHERE owner_id = %s AND id %% 10 = 2", [user.pk]
        )
        cursor.execute("ANALYZE listings_listing")


def _cold(client, user, url: str) -> float:
    listings_changed([user.pk])  # what the write path does when the seller's listings change
    return timed_get(client, url)


def _cold_after_an_edit(client, user, url: str, n: int) -> float:
    # A different listing each time, as a seller's edits fall; the edit is not timed.
    listing = Listing.objects.filter(owner=user).order_by("id")[(n * 7919) % ROWS]
    listings_bulk_set(
        listings=Listing.objects.filter(pk=listing.pk), values={"price": listing.price + 1}, actor=user
    )
    return timed_get(client, url)


def _cold_nothing_kept(client, user, url: str) -> float:
    insights.selectors.FIGURES_VERSION += 1  # no kept figure or block matches any more
    return _cold(client, user, url)


def _count_ms(user) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listings_listing WHERE owner_id = %s", [user.pk])
        cursor.fetchone()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=15)
    _mix_statuses(user)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    timed_get(client, "/insights/")  # warm the connection and the code paths
    figures = {}
    for label, url in (("page /insights/", "/insights/"), ("GET /api/insights/", "/api/insights/")):
        figures[f"{label} edited"] = report(
            f"{label}, cold after an edit",
            [_cold_after_an_edit(client, user, url, n) for n in range(REPEATS)],
        )
        figures[f"{label} nothing kept"] = report(
            f"{label}, cold, nothing kept", [_cold_nothing_kept(client, user, url) for _ in range(REPEATS)]
        )
        figures[f"{label} cold"] = report(
            f"{label}, cold, version bumped only", [_cold(client, user, url) for _ in range(REPEATS)]
        )
        timed_get(client, url)
        figures[f"{label} warm"] = report(
            f"{label}, warm (cached)", [timed_get(client, url) for _ in range(REPEATS)]
        )
    peer = report(
        "peer: GET /api/analytics/summary (uncached)",
        [timed_get(client, "/api/analytics/summary") for _ in range(REPEATS)],
    )
    limit = report(
        "limit: SELECT count(*) of the seller's listings", [_count_ms(user) for _ in range(REPEATS)]
    )
    rows_label = f"{ROWS:,}"
    summary(
        f"insights page, cold after an edit, {rows_label} listings",
        figures["page /insights/ edited"],
        unit="ms",
        peer=("analytics summary", peer),
        limit=("count(*)", limit),
    )
    summary(
        f"insights page, cold, nothing kept, {rows_label} listings",
        figures["page /insights/ nothing kept"],
        unit="ms",
        peer=("analytics summary", peer),
        limit=("count(*)", limit),
    )
    summary(f"insights page, warm, {rows_label} listings", figures["page /insights/ warm"], unit="ms")


if __name__ == "__main__":
    main()
