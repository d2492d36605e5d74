"""The admin on a big table: changelist pages, select-all bulk actions, export and
import, timed through the test client. Prints figures; asserts nothing.

A throwaway database (test_mbe_admin_bench on DATABASE_URL's server) is created and
dropped.
    python bench/admin_listings.py [--rows 100000] [--import-rows 1000]
    BENCH_SMOKE=1 python bench/admin_listings.py   # 1,000 listings, 100 imported rows
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from _setup import SMOKE, summary, use_bench_database
from _setup import rows as bench_rows

use_bench_database("admin")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from import_export.formats import base_formats  # noqa: E402
from import_export.forms import SelectableFieldsExportForm  # noqa: E402

from audit.models import AuditEntry  # noqa: E402
from imports.resources import ListingResource  # noqa: E402
from listings.models import Listing  # noqa: E402

OWNERS = 20


def seed(rows: int):
    from accounts.services import user_create
    from listings.demo import demo_rows
    from listings.services.changes import listings_create_many
    from listings.validation import clean_listing

    staff = user_create(email="staff@example.com", password=None, is_staff=True, is_superuser=True)
    owners = [user_create(email=f"seller{n}@example.com", password=None) for n in range(OWNERS)]
    cleaned = [clean_listing(row) for row in demo_rows(rows)]
    per_owner = -(-rows // OWNERS)
    for index, owner in enumerate(owners):
        listings_create_many(owner=owner, rows=cleaned[index * per_owner : (index + 1) * per_owner])
    return staff


def timed(label: str, request, repeat: int = 1) -> float:
    """Print the median time of ``request()`` (run ``repeat`` times), with the
    number of SQL queries and the time spent in them on the last run."""
    durations = []
    for _ in range(repeat):
        # Django keeps the last 9,000 queries only; start each count from empty.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = request()
            durations.append(time.perf_counter() - started)
        if response.status_code >= 400:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    count = (
        f"{len(queries):,}" if len(queries) < connection.queries_limit else f">{connection.queries_limit:,}"
    )
    print(
        f"  {label:<54} {statistics.median(durations) * 1000:9.1f} ms"
        f"  {count:>6} queries {sql_ms:8.1f} ms in SQL"
    )
    return statistics.median(durations)


def run(rows: int, import_rows: int) -> None:
    started = time.perf_counter()
    staff = seed(rows)
    seconds = time.perf_counter() - started
    print(f"seeded {Listing.objects.count():,} listings for {OWNERS} owners in {seconds:.1f} s")
    client = Client()
    client.force_login(staff)
    changelist = reverse("admin:listings_listing_changelist")
    owner_id = Listing.objects.values_list("owner_id", flat=True).first()

    print("changelist (100 rows a page, median of 3):")
    for label, query in [
        ("first page", ""),
        ("filter condition=New", "condition__exact=New"),
        ("filter category root=Electronics", "category_root=Electronics"),
        ("filter owner", f"owner__id__exact={owner_id}"),
        ("search 'vintage'", "q=vintage"),
        ("search an owner's e-mail", "q=seller7%40example"),
        ("sorted by price", "o=3"),
        ("last page", f"p={rows // 100}"),
    ]:
        timed(label, lambda q=query: client.get(f"{changelist}?{q}"), repeat=3)

    listing = Listing.objects.order_by("-id").first()
    timed(
        "list_editable: save one row's price",
        lambda: client.post(
            changelist,
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-0-id": listing.pk,
                "form-0-price": "12.34",
                "form-0-condition": listing.condition,
                "_save": "Save",
            },
        ),
    )

    def select_all(action: str, query: str, values: dict):
        selection = {"action": action, ACTION_CHECKBOX_NAME: [listing.pk], "select_across": "1"}
        return client.post(f"{changelist}?{query}", {**selection, "confirm": "yes", **values})

    home = Listing.objects.filter(category__startswith="Home & Kitchen//").count()
    print("select-all bulk actions (one run each):")
    timed(
        "intermediate page, all listings selected",
        lambda: client.post(
            changelist, {"action": "adjust_price", ACTION_CHECKBOX_NAME: [listing.pk], "select_across": "1"}
        ),
    )
    timed(
        f"set condition on category root Home & Kitchen ({home:,})",
        lambda: select_all("set_condition", "category_root=Home+%26+Kitchen", {"condition": "Used - Fair"}),
    )
    timed(
        f"adjust price +5% on all {rows:,}",
        lambda: select_all("adjust_price", "", {"kind": "percent", "change": "5"}),
    )

    model_admin = admin.site.get_model_admin(Listing)
    export_url = reverse("admin:listings_listing_export")
    export_data = {"format": str(model_admin.get_export_formats().index(base_formats.CSV)), "resource": "0"}
    export_data.update(
        {
            SelectableFieldsExportForm.create_boolean_field_name(ListingResource, name): "on"
            for name in ListingResource().get_export_order()
        }
    )
    print("import-export:")
    seconds = timed(f"export CSV, all {rows:,} listings", lambda: client.post(export_url, export_data))
    summary(f"admin CSV export (its import-export resource), {rows:,} rows", seconds)

    csv = "title,price,condition,category\n" + "".join(
        f"Imported lamp {n},{n % 500 + 1}.50,used good,Furniture//Living Room Furniture//Bookcases\n"
        for n in range(import_rows)
    )
    import_format = str(model_admin.get_import_formats().index(base_formats.CSV))
    previews = []

    def preview():
        upload = SimpleUploadedFile("bench.csv", csv.encode(), content_type="text/csv")
        response = client.post(
            reverse("admin:listings_listing_import"),
            {"import_file": upload, "format": import_format, "resource": "0"},
        )
        previews.append(response)
        return response

    def confirm():
        # The preview's confirm form is hidden inputs only.
        data = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', previews[-1].content.decode()))
        return client.post(reverse("admin:listings_listing_process_import"), data)

    timed(f"import CSV preview (dry run), {import_rows:,} rows", preview)
    timed(f"import CSV confirm, {import_rows:,} rows", confirm)

    audit = reverse("admin:audit_auditentry_changelist")
    print(f"audit admin ({AuditEntry.objects.count():,} entries, median of 3):")
    timed("first page", lambda: client.get(audit), repeat=3)
    timed(
        "filter action=listing.price_adjust",
        lambda: client.get(f"{audit}?action__exact=listing.price_adjust"),
        repeat=3,
    )
    timed("search an actor's e-mail", lambda: client.get(f"{audit}?q=staff%40example"), repeat=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=bench_rows(100_000))
    parser.add_argument("--import-rows", type=int, default=100 if SMOKE else 1_000)
    args = parser.parse_args()

    # Not setup_test_environment(): its template instrumentation copies every
    # context and would triple the page times measured here.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.rows, args.import_rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
