"""The changeset engine on one owner's 100,000 listings in PostgreSQL: bulk set, price
adjust, delete, and the undo of each, called as the grid and the API call them
(services, in one transaction each). Prints figures; asserts nothing.

    python bench/engine.py                 # database mbe_engine_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/engine.py   # 1,000 rows, to check it runs

The database is created if missing and the account is rebuilt with COPY on every run.
Each figure is the wall time of one service call (SQL and commit included), the CPU
time it took in this process and in its PostgreSQL backend (on a shared machine the
wall time grows with the load, the CPU time much less), and its query count.
Beside them, the limits measured in the same run: one bare
``UPDATE listings_listing SET ... WHERE owner_id = ...`` of the same column, and one
``INSERT ... SELECT`` of the owner's rows (what the undo of a delete re-creates),
each rolled back.
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _setup import build_account, ensure_database, rows, summary, use_bench_database

use_bench_database("engine")
ROWS = rows(100_000)
EMAIL = "bench-engine@example.com"
SEARCH_REPEATS = 9

ensure_database("bench/engine.py")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from listings.fields import LISTING_FIELDS  # noqa: E402
from listings.models import Listing  # noqa: E402
from listings.search import search_index_pending  # noqa: E402
from listings.selectors import search_q  # noqa: E402
from listings.services.bulk import (  # noqa: E402
    listings_bulk_delete,
    listings_bulk_set,
    listings_price_adjust,
)
from listings.services.undo import undo_last  # noqa: E402


class _RolledBack(Exception):
    pass


def cpu_seconds() -> float:
    """CPU time so far of this process and of its database backend (Linux, the
    database on this host: /proc/PID/stat; the backend's part is 0 elsewhere)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return time.process_time()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, call) -> float:
    """Seconds of ``call()``, printed with its CPU time and query count."""
    connection.queries_log.clear()
    cpu = cpu_seconds()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    count = len(queries) if len(queries) < connection.queries_limit else f">{connection.queries_limit}"
    touched = getattr(result, "listings", result)
    print(
        f"  {label:<34} {elapsed * 1000:10.1f} ms  cpu {cpu * 1000:8.1f} ms  {count:>6} queries"
        f"  ({touched:,} listings)"
    )
    return elapsed


def bare(label: str, sql: str, params: list) -> float:
    """Seconds of one statement and its triggers (deferred ones included), rolled back."""
    cpu = cpu_seconds()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would check
            elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    cpu = cpu_seconds() - cpu
    print(f"  {label:<34} {elapsed * 1000:10.1f} ms  cpu {cpu * 1000:8.1f} ms  (limit, rolled back)")
    return elapsed


def search_p50(label: str, listings) -> float:
    """Median seconds of a two-word search over ``listings`` (as the grid and the
    API filter), printed."""
    samples = []
    for _ in range(SEARCH_REPEATS):
        started = time.perf_counter()
        listings.filter(search_q("vintage lamp")).count()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"  {label:<34} {median * 1000:10.1f} ms  (p50 of {SEARCH_REPEATS})")
    return median


def vacuum() -> None:
    """What autovacuum does before a seller's next action: a rolled-back statement
    leaves every row twice in the table and its indexes."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE listings_listing")


def limits(owner_id: int) -> dict[str, float]:
    columns = ", ".join(
        f'"{Listing._meta.get_field(name).column}"' for name in ("owner", *LISTING_FIELDS, "warnings")
    )
    set_column = (
        "UPDATE listings_listing SET {} = %s, version = version + 1, updated_at = now() WHERE owner_id = %s"
    )
    figures = {
        "condition": bare("bare UPDATE condition", set_column.format("condition"), ["Used - Fair", owner_id]),
        "category": bare("bare UPDATE category", set_column.format("category"), ["Bench", owner_id]),
        "insert": bare(
            "bare INSERT ... SELECT",
            f"INSERT INTO listings_listing ({columns}, source, extra, version, created_at, updated_at) "
            f"SELECT {columns}, source, extra, 1, now(), now() FROM listings_listing WHERE owner_id = %s",
            [owner_id],
        ),
    }
    vacuum()
    return figures


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=11)
    mine = Listing.objects.filter(owner=user)
    print(f"engine on {ROWS:,} listings of one owner (PostgreSQL)")
    limit = limits(user.pk)
    figures = {
        "bulk set condition": timed(
            "bulk set (condition)",
            lambda: listings_bulk_set(listings=mine, values={"condition": "Used - Fair"}, actor=user),
        ),
        "undo bulk set condition": timed("undo bulk set", lambda: undo_last(user=user)),
        "bulk set category": timed(
            "bulk set (category)",
            lambda: listings_bulk_set(listings=mine, values={"category": "Bench"}, actor=user),
        ),
        "search p50, pending": search_p50(f"  search, {ROWS:,} changed, pending", mine),
        "search index (worker)": timed("index pending search (worker)", search_index_pending.call),
        "search p50, indexed": search_p50("  search, all indexed", mine),
        "undo bulk set category": timed("undo bulk set", lambda: undo_last(user=user)),
        "price adjust": timed(
            "price adjust (+10 %)",
            lambda: listings_price_adjust(listings=mine, percent=Decimal(10), actor=user),
        ),
        "undo price adjust": timed("undo price adjust", lambda: undo_last(user=user)),
        "delete": timed("delete", lambda: listings_bulk_delete(listings=mine, actor=user)),
        "undo delete": timed("undo delete", lambda: undo_last(user=user)),
    }
    if mine.count() != ROWS:
        raise SystemExit(f"undo of delete left {mine.count():,} of {ROWS:,} listings")
    beside = {
        "bulk set condition": ("bare UPDATE", limit["condition"]),
        "bulk set category": ("bare UPDATE", limit["category"]),
        "undo delete": ("bare INSERT…SELECT", limit["insert"]),
    }
    for workload, seconds in figures.items():
        if workload.startswith("search p50"):
            summary(f"engine: {workload}, {ROWS:,} rows", seconds * 1000, unit="ms")
        else:
            summary(f"engine: {workload}, {ROWS:,} rows", seconds, limit=beside.get(workload))


if __name__ == "__main__":
    main()
