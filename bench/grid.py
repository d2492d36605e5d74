"""Server time of the spreadsheet page on an account of 100,000 listings in PostgreSQL.
Prints figures; asserts nothing.

    python bench/grid.py              # database mbe_grid_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/grid.py     # 1,000 listings, 5 requests each

The database is created if missing and the bench account is rebuilt on every run
(COPY, then VACUUM ANALYZE as autovacuum would), so runs are comparable. Requests go
through the whole Django stack in-process (session login, middleware, templates).
Targets (issue 5): first page <= 80 ms, sorted + searched page <= 120 ms, one cell
save <= 30 ms, each p50.
"""

import time

from _setup import SMOKE, build_account, report, rows, start_django, summary

start_django("grid")
ROWS = rows(100_000)
REPEATS = 5 if SMOKE else 40
EMAIL = "bench-grid@example.com"
HTMX = {"HTTP_HX_REQUEST": "true"}


from django.test import Client  # noqa: E402

from listings.models import Listing  # noqa: E402
from listings.views.grid import PAGE_SIZE  # noqa: E402


def timed(client: Client, method: str, url: str, data=None, **headers) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = getattr(client, method)(url, data or {}, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise SystemExit(
            f"{method.upper()} {url} answered {response.status_code}: {response.content[:300]!r}"
        )
    return elapsed, response.content


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=5)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    timed(client, "get", "/listings/")  # warm caches, templates and the connection

    pages = {
        f"GET /listings/ first page (full page, {PAGE_SIZE} rows)": ("/listings/", {}),
        "GET /listings/ first page (htmx table partial)": ("/listings/", HTMX),
        "GET sorted + searched (q=vintage lamp, -price; full page)": (
            "/listings/?q=vintage+lamp&ordering=-price",
            {},
        ),
        "GET sorted + searched (htmx table partial)": ("/listings/?q=vintage+lamp&ordering=-price", HTMX),
        "GET sorted by title, filtered (New, shipping; htmx)": (
            "/listings/?condition=New&offer_shipping=yes&ordering=title",
            HTMX,
        ),
        # Titles sort in natural order (ICU collation on the column, 0007_title_natural_sort).
        "GET sorted by title, natural order (all 100,000; htmx)": ("/listings/?ordering=title", HTMX),
        "GET sorted by -title, rows 5,000-5,050 (htmx)": ("/listings/?ordering=-title&offset=5000", HTMX),
        f"GET next {PAGE_SIZE} rows while scrolling (offset=1000; htmx)": ("/listings/?offset=1000", HTMX),
        "GET count (asked for after the table; all 100,000)": ("/listings/count/", HTMX),
        "GET count (q=vintage lamp)": ("/listings/count/?q=vintage+lamp", HTMX),
    }
    p50 = {
        label: report(label, [timed(client, "get", url, **headers)[0] for _ in range(REPEATS)])
        for label, (url, headers) in pages.items()
    }
    summary(
        f"grid first page p50, {ROWS:,} rows",
        p50["GET /listings/ first page (htmx table partial)"],
        unit="ms",
    )
    summary(
        f"grid sorted + searched p50, {ROWS:,} rows",
        p50["GET sorted + searched (htmx table partial)"],
        unit="ms",
    )

    listing = Listing.objects.filter(owner=user).order_by("id")[500]
    saves = []
    for n in range(REPEATS):
        version = Listing.objects.values_list("version", flat=True).get(pk=listing.pk)
        url = f"/listings/{listing.pk}/cells/title/"
        elapsed, body = timed(client, "post", url, {"value": f"Bench title {n}", "version": version}, **HTMX)
        assert b'data-state="saved"' in body
        saves.append(elapsed)
    summary(
        "grid one cell save p50",
        report("POST one cell save (title, with version check + audit)", saves),
        unit="ms",
    )


if __name__ == "__main__":
    main()
