"""Does each index of ``listings_listing`` pay for itself? Every sort and filter of
the API and the grid, timed through the whole Django stack for one owner's 100,000
listings among 1,000,000 (10 owners), with all indexes and then with each index
dropped in turn (and made again after). An index is worth its
write cost only where a page would miss its target without it. Prints figures;
asserts nothing.

    python bench/indexes.py            # database mbe_indexes_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/indexes.py   # 10 owners of 1,000 listings, 3 requests each

The table is built once (one account by COPY, cloned for the other owners with
triggers off; the search side table is left to bench/api.py and bench/grid.py) and
reused while its counts are right. Targets: API first page 10 ms and filtered sort
20 ms (issue 14), other API pages 30 ms (issue 4), counted or not; grid table 80 ms,
the grid's count 80 ms (issue 5); p50 each.
"""

import os
import statistics
import time

from _setup import (
    SMOKE,
    build_account,
    retire_cached_counts,
    rows,
    start_django,
    summary,
)

start_django("indexes")
ROWS = rows(100_000)
OWNERS = 10
REPEATS = 3 if SMOKE else 15
EMAIL = "bench-indexes-{}@example.com"
HTMX = {"HTTP_HX_REQUEST": "true"}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from accounts.models import User  # noqa: E402
from listings.models import Listing  # noqa: E402

# (label, door, url, target ms, counted). A count is kept until the owner's
# listings change; "counted" pages retire it before each request, as a write would.
PAGES = [
    ("API first page (default order, -updated_at)", "api", "/api/listings/", 10, False),
    ("API filtered sort (New, shipping, -price)", "api", "?condition=New&offer_shipping=yes&ordering=-price",
     20, False),
    ("API first page, counted (after a write)", "api", "/api/listings/", 30, True),
    ("API filtered sort, counted (after a write)", "api", "?condition=New&offer_shipping=yes&ordering=-price",
     30, True),
    ("API sort by title", "api", "?ordering=title", 30, False),
    ("API sort by -price", "api", "?ordering=-price", 30, False),
    ("API sort by condition", "api", "?ordering=condition", 30, False),
    ("API sort by category", "api", "?ordering=category", 30, False),
    ("API sort by offer_shipping", "api", "?ordering=offer_shipping", 30, False),
    ("API sort by source", "api", "?ordering=source", 30, False),
    ("API sort by created_at", "api", "?ordering=created_at", 30, False),
    ("API filter condition=Used - Fair", "api", "?condition=Used+-+Fair", 30, False),
    ("API filter category prefix Furniture", "api", "?category=Furniture", 30, False),
    ("API filter has_warnings", "api", "?has_warnings=true", 30, False),
    ("API filter source=api", "api", "?source=api", 30, False),
    ("API filter price 100-200", "api", "?price_min=100&price_max=200", 30, False),
    ("API next page (cursor, by -price)", "api", "next:?ordering=-price", 30, False),
    ("grid table (default order)", "grid", "/listings/", 80, False),
    ("grid sorted by title", "grid", "/listings/?ordering=title", 80, False),
    ("grid sorted by -price, offset 5,000", "grid", "/listings/?ordering=-price&offset=5000", 80, False),
    ("grid filtered (New, shipping) by category", "grid",
     "/listings/?condition=New&offer_shipping=yes&ordering=category", 80, False),
    ("grid count (all), counted", "grid", "/listings/count/", 80, True),
    ("grid count (condition=New), counted", "grid", "/listings/count/?condition=New", 80, True),
]  # fmt: skip


def build() -> User:
    """Ten owners of ``ROWS`` listings each; the first is measured."""
    call_command("migrate", verbosity=0)
    emails = [EMAIL.format(n) for n in range(OWNERS)]
    counts = dict(
        Listing.objects.filter(owner__email__in=emails).values_list("owner__email").annotate(n=Count("id"))
    )
    if counts == dict.fromkeys(emails, ROWS):
        print(f"setup: reusing {OWNERS} owners of {ROWS:,} listings")
        return User.objects.get(email=emails[0])
    measured = build_account(email=emails[0], rows=ROWS, seed=3)
    started = time.perf_counter()
    columns = (
        "title, price, condition, description, category, offer_shipping, source, extra, warnings, "
        "version, created_at, updated_at, status, sku, quantity, notes"
    )
    with connection.cursor() as cursor:
        # Triggers off for the copies: the search side table is not what is measured.
        cursor.execute("SET session_replication_role = replica")
        for email in emails[1:]:
            other = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None
            )
            cursor.execute(
                f"INSERT INTO listings_listing (owner_id, {columns}) "
                f"SELECT %s, {columns} FROM listings_listing WHERE owner_id = %s",
                [other.pk, measured.pk],
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE listings_listing")
    print(f"setup: {OWNERS - 1} more owners cloned in {time.perf_counter() - started:.1f} s")
    return measured


def listing_indexes() -> list[str]:
    """The table's indexes but its primary key and unique ones (those are rules)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'listings_listing'::regclass AND NOT i.indisunique ORDER BY c.relname"
        )
        return [name for (name,) in cursor.fetchall()]


def measure(clients: dict[str, Client], user: User) -> dict[str, float]:
    """p50 ms of every page in ``PAGES``."""
    results = {}
    for label, door, url, _target, counted in PAGES:
        client = clients[door]
        if url.startswith("next:"):
            url = client.get(f"/api/listings/{url[5:]}").json()["next"]
        elif url.startswith("?"):
            url = f"/api/listings/{url}"
        headers = HTMX if door == "grid" else {}
        client.get(url, **headers)  # warm
        samples = []
        for _ in range(REPEATS):
            if counted:
                retire_cached_counts(user)
            started = time.perf_counter()
            response = client.get(url, **headers)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
        results[label] = statistics.median(samples)
    return results


def measure_without(clients: dict[str, Client], user: User, indexes: list[str]) -> dict[str, float]:
    """``measure`` with ``indexes`` dropped, then made again as they were. Not inside
    a transaction: a count is kept only outside one, as in a real request."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid::regclass::text = ANY(%s)",
            [indexes],
        )
        definitions = [definition for (definition,) in cursor.fetchall()]
        try:
            for index in indexes:
                cursor.execute(f'DROP INDEX "{index}"')
            return measure(clients, user)
        finally:
            for definition in definitions:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


def needed_by(base: dict[str, float], without: dict[str, float]) -> list[str]:
    """Pages that miss their target without the index, and are clearly slower for
    it (half as slow again: not the noise of a busy machine)."""
    return [
        label
        for label, _door, _url, target, _counted in PAGES
        if without[label] > max(target, 1.5 * base[label])
    ]


def main() -> None:
    user = build()
    api = Client(
        HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}"
    )
    grid = Client(HTTP_HOST="localhost")
    grid.force_login(user)
    clients = {"api": api, "grid": grid}
    measure(clients, user)  # warm caches, templates and the connection
    indexes = listing_indexes()
    # Each index against all of them measured just before, so a machine busy with
    # other work skews both alike.
    pairs = {index: (measure(clients, user), measure_without(clients, user, [index])) for index in indexes}

    print(
        f"\np50 ms, one owner's {ROWS:,} listings among {ROWS * OWNERS:,}: with all indexes "
        "(median of the runs), then with each index dropped alone"
    )
    short = {
        index: index.removeprefix("listing_").removeprefix("listings_listing_")[:13] for index in indexes
    }
    with_all = {label: statistics.median(pairs[i][0][label] for i in indexes) for label, *_ in PAGES}
    print(f"{'page':<52}{'target':>7}{'all':>7}" + "".join(f"{short[i]:>14}" for i in indexes))
    for label, _door, _url, target, _counted in PAGES:
        cells = "".join(
            f"{pairs[i][1][label]:>13.1f}{'!' if label in needed_by(*pairs[i]) else ' '}" for i in indexes
        )
        print(f"{label:<52}{target:>7}{with_all[label]:>7.1f}{cells}")
    print("\n! = misses its target without the index, and is 1.5x slower than with it")
    unneeded = []
    for index in indexes:
        missed = needed_by(*pairs[index])
        if not missed:
            unneeded.append(index)
        verdict = f"needed by: {', '.join(missed)}" if missed else "needed by no page"
        print(f"  {index:<40}{verdict}")
    # Indexes stand in for each other (any index led by the owner finds an owner's
    # rows): drop every one no page needed alone, together, and look again.
    if unneeded:
        base, without = measure(clients, user), measure_without(clients, user, unneeded)
        print(f"\nwithout all of {', '.join(unneeded)} together:")
        missed = needed_by(base, without)
        for label, _door, _url, target, _counted in PAGES:
            mark = "  ! misses its target" if label in missed else ""
            print(f"  {label:<52}{target:>7}{base[label]:>8.1f} → {without[label]:>7.1f}{mark}")
    for label in (PAGES[0][0], PAGES[1][0]):
        summary(f"indexes: {label}, {ROWS:,} of {ROWS * OWNERS:,} rows", with_all[label], unit="ms")
    print(f"Load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
