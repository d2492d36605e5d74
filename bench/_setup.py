"""What the PostgreSQL benchmarks share: their own database, created if missing, and
an account of realistic listings rebuilt with COPY on every run so runs compare.
A script calls ``start_django`` (its own database, created if missing, then Django set
up) before it imports the project's models, and ``build_account`` after.

``BENCH_SMOKE=1`` runs every script at ``SMOKE_ROWS`` rows (``rows()``), quick enough
for CI, printing the same tables. Each script adds its headline figures to the
summary that ``make bench`` prints (``summary()``), ours beside the peer and the
practical limit measured in the same run.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
SMOKE_ROWS = 1_000
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def rows(full: int) -> int:
    """``full`` rows, or ``SMOKE_ROWS`` in a smoke run."""
    return min(full, SMOKE_ROWS) if SMOKE else full


def bench_database_url(name: str) -> str:
    """``mbe_<name>_bench`` (``…_bench_smoke`` in a smoke run, so a smoke run never
    rebuilds the full-size accounts) on the server ``DATABASE_URL`` points at, never
    the database it names: a bench truncates tables. ``BENCH_DATABASE_TAG`` adds a
    suffix, so two checkouts can run the same bench on one server at once."""
    config = dj_database_url.parse(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    tag = os.environ.get("BENCH_DATABASE_TAG", "")
    database = f"mbe_{name}_bench{'_smoke' if SMOKE else ''}{f'_{tag}' if tag else ''}"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT'] or 5432}/{database}"


def use_bench_database(name: str) -> str:
    """Point this process (and the children it starts) at the bench's own database."""
    os.environ["DATABASE_URL"] = bench_database_url(name)
    return os.environ["DATABASE_URL"]


def summary(workload: str, ours: float, *, unit: str = "s", peer=None, limit=None) -> None:
    """One line of ``make bench``'s summary: ``peer`` and ``limit`` are ``(label,
    figure)`` measured in the same run, or None where there is none."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    line = {"workload": workload, "unit": unit, "ours": ours, "peer": peer, "limit": limit}
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")


def ensure_database(script: str) -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://...")
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def start_django(name: str) -> None:
    """Set this process up as the bench ``name``: the project importable, its own
    database (``use_bench_database``, created if missing), quiet logs, no rate limit
    (a bench's many requests from one user are not what it measures), then
    ``django.setup()``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("RATELIMIT_ENABLE", "0")
    use_bench_database(name)
    ensure_database(f"bench/{name}.py")

    import django

    django.setup()


def build_account(*, email: str, rows: int, seed: int):
    """A user with ``rows`` realistic listings, loaded with COPY."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from listings.demo import demo_rows
    from listings.validation import clean_listing, listing_warnings

    call_command("migrate", verbosity=0)
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE listings_listing, listings_undostep, audit_auditentry RESTART IDENTITY CASCADE"
        )
    columns = (
        "owner_id, title, price, condition, description, category, offer_shipping, source, extra, "
        "warnings, version, created_at, updated_at, status, sku, quantity, notes"
    )
    now = timezone.now()
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY listings_listing ({columns}) FROM STDIN") as copy,
    ):
        for row in demo_rows(rows, seed=seed):
            cleaned = clean_listing(row)
            copy.write_row(
                (
                    user.pk,
                    cleaned["title"],
                    cleaned["price"],
                    cleaned["condition"],
                    cleaned["description"],
                    cleaned["category"],
                    cleaned["offer_shipping"],
                    "import",
                    "{}",
                    json.dumps(listing_warnings(cleaned)),
                    1,
                    now,
                    now,
                    cleaned.get("status", "ready"),
                    cleaned.get("sku", ""),
                    cleaned.get("quantity", 1),
                    cleaned.get("notes", ""),
                )
            )
    with connection.cursor() as cursor:
        # As autovacuum would after 100,000 inserts; for listing_search it also merges
        # the trigram index's pending list, which every search otherwise reads through
        # (4 MB of it made a search 16 ms instead of 3, docs/performance.md).
        cursor.execute("VACUUM ANALYZE listings_listing, listing_search")
    print(f"setup: {rows:,} listings loaded with COPY in {time.perf_counter() - started:.1f} s")
    return user


def timed_get(client, url: str, **headers) -> float:
    """Milliseconds for one GET through the whole Django stack; a non-200 stops the run."""
    started = time.perf_counter()
    response = client.get(url, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def report(label: str, samples: list[float]) -> float:
    """Print p50 and p95 of ``samples`` (ms); return the p50."""
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{label:<58} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   (n={len(samples)})")
    return statistics.median(samples)


def retire_cached_counts(user) -> None:
    """Make the next count of ``user``'s listings count again, as the write path does
    when their listings change (``listings.freshness``), no listing touched."""
    from listings.freshness import listings_changed

    listings_changed([user.pk])
