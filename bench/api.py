"""API speed on an account of 100,000 listings in PostgreSQL. Prints figures; asserts nothing.

    python bench/api.py               # database mbe_api_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/api.py      # 1,000 listings, 5 requests each

The database is created if missing and the bench account is rebuilt on every run
(COPY, then VACUUM ANALYZE as autovacuum would), so runs are comparable. Requests
go through the whole Django/DRF stack in-process with a JWT, without a network.
Targets (issue 4): pages <= 30 ms p50, 10,000-item upsert <= 2 s, 100,000-row bulk set <= 3 s;
(issue 14): first page <= 10 ms, filtered sort <= 20 ms p50. A count is kept until the
owner's listings change (listings.selectors.listings_count), so repeated pages read it
from the cache; the "right after a write" lines count every time.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("RATELIMIT_ENABLE", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _setup import (
    SMOKE,
    build_account,
    ensure_database,
    retire_cached_counts,
    rows,
    summary,
    use_bench_database,
)

use_bench_database("api")
ROWS = rows(100_000)
UPSERT_ITEMS = rows(10_000)
REPEATS = 5 if SMOKE else 40
EMAIL = "bench-api@example.com"


ensure_database("bench/api.py")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from listings.models import Listing  # noqa: E402


def timed(client: Client, method: str, url: str, body=None) -> tuple[float, object]:
    started = time.perf_counter()
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise SystemExit(
            f"{method.upper()} {url} answered {response.status_code}: {response.content[:300]!r}"
        )
    return elapsed, response.json()


def report(label: str, samples: list[float]) -> float:
    """Print p50 and p99 of ``samples`` (ms); return the p50."""
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    print(f"{label:<46} p50 {statistics.median(samples):7.1f} ms   p99 {p99:7.1f} ms   (n={len(samples)})")
    return statistics.median(samples)


def bare_update(user) -> float:
    """Seconds for the one statement a bulk set comes down to, with the table's
    indexes and triggers but no audit or undo; rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "UPDATE listings_listing SET condition = %s, version = version + 1 WHERE owner_id = %s",
            ["Used - Fair", user.pk],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=11)
    client = Client(
        HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}"
    )
    timed(client, "get", "/api/listings/")  # warm caches and the connection
    last_url = timed(client, "get", "/api/listings/")[1]["last"]

    pages = {
        "GET first page (50, default order)": "/api/listings/",
        "GET last page (cursor=last)": last_url,
        "GET search q=vintage camera": "/api/listings/?q=vintage+camera",
        "GET filtered sort (New, shipping, by -price)": (
            "/api/listings/?condition=New&offer_shipping=yes&ordering=-price"
        ),
        "GET 500 rows, sorted by title": "/api/listings/?page_size=500&ordering=title",
    }
    p50 = {
        label: report(label, [timed(client, "get", url)[0] for _ in range(REPEATS)])
        for label, url in pages.items()
    }
    # The count is kept until the owner's listings change: these count every time.
    for label, url in (
        ("GET first page, right after a write (counted)", "/api/listings/"),
        (
            "GET filtered sort, right after a write (counted)",
            pages["GET filtered sort (New, shipping, by -price)"],
        ),
    ):
        samples = []
        for _ in range(REPEATS):
            retire_cached_counts(user)
            samples.append(timed(client, "get", url)[0])
        p50[label] = report(label, samples)
    summary(f"API first page p50, {ROWS:,} rows", p50["GET first page (50, default order)"], unit="ms")
    summary(
        f"API filtered sort p50, {ROWS:,} rows",
        p50["GET filtered sort (New, shipping, by -price)"],
        unit="ms",
    )
    summary(f"API search p50, {ROWS:,} rows", p50["GET search q=vintage camera"], unit="ms")

    existing = list(
        Listing.objects.filter(owner=user).order_by("id").values_list("id", flat=True)[: UPSERT_ITEMS // 2]
    )
    items = [{"id": pk, "price": "19.99", "condition": "Used - Good"} for pk in existing]
    items += [
        {
            "title": f"Bench chair {n}",
            "price": n % 500,
            "category": "Furniture//Dining Room Furniture//Dining Chairs",
        }
        for n in range(UPSERT_ITEMS - len(items))
    ]
    elapsed, body = timed(client, "post", "/api/listings/bulk/", {"items": items})
    print(
        f"POST /api/listings/bulk/ upsert of {UPSERT_ITEMS:,} items "
        f"({body['updated']:,} updates, {body['created']:,} creates): {elapsed / 1000:.2f} s"
    )

    total = Listing.objects.filter(owner=user).count()
    update_seconds = bare_update(user)
    print(f"one UPDATE … WHERE owner_id (the limit, rolled back) on {total:,}: {update_seconds:.2f} s")
    elapsed, body = timed(
        client, "patch", "/api/listings/bulk/", {"filter": {}, "set": {"condition": "Used - Fair"}}
    )
    print(f"PATCH /api/listings/bulk/ set condition on all {total:,} by filter: {elapsed / 1000:.2f} s "
          f"({body['count']:,} changed)")  # fmt: skip
    summary(
        f"bulk set condition on all {total:,} by filter",
        elapsed / 1000,
        limit=("one UPDATE … WHERE owner", update_seconds),
    )
    elapsed, body = timed(client, "post", "/api/listings/undo/")
    summary(f"undo of that bulk set ({total:,})", elapsed / 1000)
    print(
        f"POST /api/listings/undo/ of that bulk set: {elapsed / 1000:.2f} s ({body['listings']:,} restored)"
    )


if __name__ == "__main__":
    main()
