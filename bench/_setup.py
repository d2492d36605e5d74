"""What the PostgreSQL benchmarks share: their own database, created if missing, and
an account of realistic listings rebuilt with COPY on every run so runs compare.
Call ``ensure_database`` before ``django.setup()`` and ``build_account`` after."""

import json
import os
import statistics
import sys
import time

import dj_database_url
import psycopg


def ensure_database(script: str) -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://...")
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


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
        "warnings, version, created_at, updated_at"
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
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE listings_listing")
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


def report(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{label:<58} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   (n={len(samples)})")
