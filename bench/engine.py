"""The changeset engine on one owner's 100,000 listings in PostgreSQL: bulk set, price
adjust, delete, and the undo of each, called as the grid and the API call them
(services, in one transaction each). Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mbe_engine_bench python bench/engine.py
    BENCH_SMOKE=1 python bench/engine.py      # 1,000 rows, to check it runs

The database is created if missing and the account is rebuilt with COPY on every run.
Each figure is the wall time of one service call (SQL included) and its query count.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mbe_engine_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _setup import build_account, ensure_database

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
ROWS = 1_000 if SMOKE else 100_000
EMAIL = "bench-engine@example.com"

ensure_database("bench/engine.py")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from listings.models import Listing  # noqa: E402
from listings.services.bulk import (  # noqa: E402
    listings_bulk_delete,
    listings_bulk_set,
    listings_price_adjust,
)
from listings.services.undo import undo_last  # noqa: E402


def timed(label: str, call) -> None:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    count = len(queries) if len(queries) < connection.queries_limit else f">{connection.queries_limit}"
    touched = getattr(result, "listings", result)
    print(f"  {label:<34} {elapsed * 1000:10.1f} ms  {count:>6} queries  ({touched:,} listings)")


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=11)
    mine = Listing.objects.filter(owner=user)
    print(f"engine on {ROWS:,} listings of one owner (PostgreSQL)")
    timed(
        "bulk set (category)",
        lambda: listings_bulk_set(listings=mine, values={"category": "Bench"}, actor=user),
    )
    timed("undo bulk set", lambda: undo_last(user=user))
    timed(
        "price adjust (+10 %)", lambda: listings_price_adjust(listings=mine, percent=Decimal(10), actor=user)
    )
    timed("undo price adjust", lambda: undo_last(user=user))
    timed("delete", lambda: listings_bulk_delete(listings=mine, actor=user))
    timed("undo delete", lambda: undo_last(user=user))
    if mine.count() != ROWS:
        raise SystemExit(f"undo of delete left {mine.count():,} of {ROWS:,} listings")


if __name__ == "__main__":
    main()
