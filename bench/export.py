"""Export speed and memory from PostgreSQL at 10,000 and 100,000 listings. Prints
figures; asserts nothing.

    python bench/export.py            # DATABASE_URL defaults to .../mbe_exports_bench

The database is created and migrated if missing; two bench accounts (10,000 and
100,000 listings, filled with COPY) are rebuilt when their counts are off. Each
(format, size) runs in a fresh subprocess so that its peak resident memory
(ru_maxrss) is its own; "export MB" is the peak minus the resident size just before
the export started (Django loaded, database connected). The export goes through
``exports.services.listings_export`` (count, audit, stream) exactly as the views call
it, and every byte is read as a response would be.
Targets (issue 7): csv/json/text/sql <= 2 s and xlsx <= 10 s at 100,000 rows;
peak <= 150 MB; peak within 20% between 10,000 and 100,000 rows.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mbe_exports_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SIZES = (10_000, 100_000)
FORMATS = ("csv", "json", "text", "sql", "xlsx", "facebook")
TARGET_SECONDS = {"xlsx": 10.0, "facebook": None}
# Values that exercise the writers' slow paths: quoting, escaping, formula guards.
AWKWARD = ("=SUM(A1:A2)", 'He said "ok"', "back\\slash", "two\nlines", "café 😀", "-5 °C rated")


def email_for(size: int) -> str:
    return f"bench-export-{size}@example.com"


def ensure_database() -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench/export.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def fill(size: int) -> None:
    """The account for ``size`` with exactly ``size`` realistic listings."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from listings.demo import demo_rows

    call_command("migrate", verbosity=0)
    user = User.objects.filter(email=email_for(size)).first()
    if user and user.listings.count() == size:
        return
    print(f"filling {size:,} listings …", flush=True)
    rng = random.Random(size)
    now = timezone.now()
    with transaction.atomic():
        if user:
            user.delete()
        user = User.objects.create_user(email=email_for(size), password=None)
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY listings_listing (owner_id, title, price, condition, description, category,"
                " offer_shipping, source, extra, warnings, version, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for number, row in enumerate(demo_rows(size, seed=size)):
                description = row["description"] * rng.randint(1, 4)
                if number % 5 == 0:
                    description = rng.choice(AWKWARD) + " " + description
                copy.write_row(
                    (
                        user.pk,
                        row["title"],
                        row["price"],
                        row["condition"],
                        description,
                        row["category"],
                        row["offer_shipping"],
                        "import",
                        "{}",
                        "[]",
                        1,
                        now,
                        now,
                    )
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")


def measure(export_format: str, size: int) -> dict:
    """One export in this process: seconds, bytes and memory."""
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from exports.formats import FORMATS as EXPORT_FORMATS
    from exports.selectors import listings_for_export
    from exports.services import listings_export

    user = User.objects.get(email=email_for(size))
    connection.ensure_connection()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    export = listings_export(
        listings=listings_for_export(user), export_format=EXPORT_FORMATS[export_format], actor=user
    )
    written = 0
    with open(os.devnull, "wb") as sink:
        for chunk in export.chunks:
            written += len(chunk)
            sink.write(chunk)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "bytes": written, "count": export.count, "peak_kb": peak, "before_kb": before}


def main() -> None:
    ensure_database()
    import django

    django.setup()
    for size in SIZES:
        fill(size)
    print(f"{'format':<9}{'rows':>9}{'seconds':>9}{'target':>8}{'MB out':>8}{'peak MB':>9}{'export MB':>11}")
    peaks: dict[str, list[float]] = {}
    for export_format in FORMATS:
        for size in SIZES:
            child = subprocess.run(
                [sys.executable, __file__, "--measure", export_format, str(size)],
                capture_output=True,
                text=True,
                check=True,
                env=os.environ,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            target = TARGET_SECONDS.get(export_format, 2.0)
            peak_mb = result["peak_kb"] / 1024
            export_mb = (result["peak_kb"] - result["before_kb"]) / 1024
            peaks.setdefault(export_format, []).append(peak_mb)
            print(
                f"{export_format:<9}{result['count']:>9,}{result['seconds']:>9.2f}"
                f"{('≤' + str(int(target))) if size == SIZES[-1] and target else '':>8}"
                f"{result['bytes'] / 1e6:>8.1f}{peak_mb:>9.1f}{export_mb:>11.1f}",
                flush=True,
            )
    print("\npeak memory growth from 10,000 to 100,000 rows (target: within 20%, peak ≤ 150 MB)")
    for export_format, (small, large) in peaks.items():
        print(
            f"  {export_format:<9}{small:>7.1f} MB → {large:>6.1f} MB  {100 * (large - small) / small:+6.1f}%"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
