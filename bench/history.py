"""Server time of the history page on an account with over 100,000 audit entries in
PostgreSQL. Prints figures; asserts nothing.

    python bench/history.py   # database mbe_history_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/history.py   # 1,000 listings, 5 requests each

The account (100,000 listings, COPY) is rebuilt on every run; then one price adjust of
all of them (one operation of 100,000 entries) and 3,000 single-cell edits (3,000
operations) are made through the listing services, as a seller would. Requests go
through the whole Django stack in-process. Pages are walked by id (keyset), so an old
page costs what the newest does.
"""

import time
from decimal import Decimal

from _setup import SMOKE, build_account, report, rows, start_django, timed_get

start_django("history")
ROWS = rows(100_000)
EDITS = 100 if SMOKE else 3_000
REPEATS = 5 if SMOKE else 30
EMAIL = "bench-history@example.com"
HTMX = {"HTTP_HX_REQUEST": "true"}

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from audit.models import AuditEntry, Operation  # noqa: E402
from listings.models import Listing  # noqa: E402
from listings.services.bulk import listings_price_adjust  # noqa: E402
from listings.services.changes import listing_update  # noqa: E402


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=13)
    started = time.perf_counter()
    listings_price_adjust(listings=Listing.objects.filter(owner=user), actor=user, percent=Decimal("-10"))
    for listing in Listing.objects.filter(owner=user).order_by("id")[:EDITS]:
        listing_update(listing=listing, data={"title": f"{listing.title[:140]} (edited)"}, actor=user)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditentry")
        cursor.execute("VACUUM ANALYZE audit_operation")
    entries = AuditEntry.objects.filter(actor=user).count()
    operations = Operation.objects.filter(actor=user)
    print(
        f"setup: {entries:,} audit entries in {operations.count():,} operations "
        f"written in {time.perf_counter() - started:.1f} s"
    )

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    timed_get(client, "/history/")  # warm caches, templates and the connection
    ids = list(operations.order_by("-id").values_list("id", flat=True))
    bulk = operations.get(action="listing.price_adjust")
    edited = Listing.objects.filter(owner=user).order_by("id")[EDITS // 2]
    pages = {
        "GET /history/ newest 50 operations (full page)": ("/history/", {}),
        "GET /history/ newest 50 (htmx partial)": ("/history/", HTMX),
        f"GET /history/?before= page {len(ids) // 100} of {len(ids) // 50} (htmx)": (
            f"/history/?before={ids[len(ids) // 2]}",
            HTMX,
        ),
        "GET /history/?before= the oldest page (htmx)": (f"/history/?before={ids[-10]}", HTMX),
        "GET /history/?kind=price-changes (htmx)": ("/history/?kind=price-changes", HTMX),
        "GET /history/?object_id= one listing (htmx)": (f"/history/?object_id={edited.pk}", HTMX),
        "GET the 100,000-listing operation opened (first 200)": (f"/history/operations/{bulk.pk}/", HTMX),
    }
    for label, (url, headers) in pages.items():
        report(label, [timed_get(client, url, **headers) for _ in range(REPEATS)])


if __name__ == "__main__":
    main()
