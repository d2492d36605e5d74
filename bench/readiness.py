"""Server time of the Facebook readiness check on 100,000 listings in PostgreSQL: the
Export dialog's count and the grid filtered to the listings to fix. Prints figures;
asserts nothing.

    python bench/readiness.py   # database mbe_readiness_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/readiness.py   # 1,000 listings, 5 requests each

The account is rebuilt on every run (COPY; demo rows, some without a category or with
cents in the price). Requests go through the whole Django stack in-process.
"""

from _setup import SMOKE, build_account, report, rows, start_django, timed_get

start_django("readiness")
ROWS = rows(100_000)
REPEATS = 5 if SMOKE else 30
EMAIL = "bench-readiness@example.com"
HTMX = {"HTTP_HX_REQUEST": "true"}

from django.test import Client  # noqa: E402

from listings.models import Listing  # noqa: E402
from listings.readiness import readiness  # noqa: E402


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=21)
    result = readiness(Listing.objects.filter(owner=user), "facebook", user)
    print(f"setup: {result.ready:,} ready, {result.not_ready:,} to fix: {result.reasons}")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    check = "/exports/readiness/?export_format=facebook&scope="
    pages = {
        "GET readiness, all 100,000 listings (dialog check)": (f"{check}all", HTMX),
        "GET readiness, the grid's filter (q=lamp)": (f"{check}filter&filter=q%3Dlamp", HTMX),
        "GET grid ?facebook=not_ready (htmx table partial)": ("/listings/?facebook=not_ready", HTMX),
        "GET count ?facebook=not_ready": ("/listings/count/?facebook=not_ready", HTMX),
    }
    timed_get(client, f"{check}all", **HTMX)  # warm caches and the connection
    for label, (url, headers) in pages.items():
        report(label, [timed_get(client, url, **headers) for _ in range(REPEATS)])


if __name__ == "__main__":
    main()
