"""OCR throughput. Prints figures; asserts nothing.

    python bench/ocr.py               # database mbe_ocr_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/ocr.py      # one page, one scan per run

1. The bare ``tesseract`` command on the catalog's pages, rendered once at 300 dpi
   by pdftoppm (what the worker renders): the floor for any OCR pipeline.
2. The whole pipeline: upload (``scan_create``) -> database task queue ->
   ``manage.py db_worker`` processes -> render page -> Tesseract -> parse -> store
   pages, thumbnails and candidates. Pages per minute with 1 worker, then 2.
   Overhead = how much slower the pipeline with one worker is than bare Tesseract
   (target <= 10%), both with and without the worker process's start-up.
3. Accuracy: items found with their exact price, per layout.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1) everywhere, as in production
where each worker gets a core; otherwise two workers would just fight over the
threads one Tesseract already uses. The database is created if missing; the bench
account is removed at the end.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["OMP_THREAD_LIMIT"] = "1"
MEDIA = tempfile.mkdtemp(prefix="ocr-bench-media-")
os.environ["MEDIA_ROOT"] = MEDIA

import dj_database_url  # noqa: E402
from _setup import SMOKE, summary, use_bench_database  # noqa: E402

use_bench_database("ocr")
SCANS = 1 if SMOKE else 2
EMAIL = "bench-ocr@example.com"


def ensure_database() -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def catalog():
    from ocr.tests import corpus

    items = corpus.catalog_items(120, seed=7)
    layouts = [
        ("list", items[0:25], corpus.list_page),
        ("table", items[25:50], corpus.table_page),
        ("two columns", items[50:68], corpus.two_column_page),
        ("list", items[68:93], corpus.list_page),
        ("table", items[93:118], corpus.table_page),
    ][: 1 if SMOKE else None]
    pages = [draw(page_items) for _, page_items, draw in layouts]
    return corpus.pdf_bytes(pages), layouts


def bare_tesseract(pdf: bytes) -> list[float]:
    """Seconds per page for ``tesseract page.ppm - tsv`` on pdftoppm's 300 dpi pages."""
    with tempfile.TemporaryDirectory() as workdir:
        source = Path(workdir) / "catalog.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "300", str(source), str(Path(workdir) / "page")], check=True)
        seconds = []
        for page in sorted(Path(workdir).glob("page-*.ppm")):
            started = time.perf_counter()
            subprocess.run(["tesseract", str(page), "-", "tsv"], check=True, capture_output=True)
            seconds.append(time.perf_counter() - started)
    return seconds


def worker_command(worker_id: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
        "--worker-id",
        worker_id,
    ]


def worker_startup_seconds() -> float:
    """A worker's start-up and shut-down with nothing queued: Django's import time."""
    started = time.perf_counter()
    subprocess.run(worker_command("bench-idle"), check=True, cwd=ROOT)
    return time.perf_counter() - started


def run_pipeline(owner, pdf: bytes, workers: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocr import services
    from ocr.models import Scan

    scans = [
        services.scan_create(owner=owner, upload=SimpleUploadedFile(f"catalog-{n}.pdf", pdf))
        for n in range(SCANS)
    ]
    started = time.perf_counter()
    processes = [subprocess.Popen(worker_command(f"bench-{n}"), cwd=ROOT) for n in range(workers)]
    for process in processes:
        process.wait()
    elapsed = time.perf_counter() - started
    done = list(Scan.objects.filter(pk__in=[scan.pk for scan in scans]))
    statuses = {scan.status for scan in done}
    if statuses != {Scan.Status.COMPLETED}:
        sys.exit(f"Scans did not complete: {[(scan.pk, scan.status, scan.error) for scan in done]}")
    pages = sum(scan.pages_done for scan in done)
    page_seconds = [page.seconds for scan in done for page in scan.pages.all()]
    return elapsed, pages, page_seconds, done


def accuracy(scan, layouts) -> list[tuple[str, int, int]]:
    rows = []
    for number, (name, items, _) in enumerate(layouts, start=1):
        prices = {candidate.price for candidate in scan.candidates.filter(page__number=number)}
        rows.append((name, sum(item.price in prices for item in items), len(items)))
    return rows


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.filter(email=EMAIL).delete()
    owner = User.objects.create_user(email=EMAIL, password=None)
    pdf, layouts = catalog()
    page_count = len(layouts)
    print(
        f"Catalog: {page_count} pages (list, table, two-column), {len(pdf) / 1e6:.1f} MB PDF; "
        "Tesseract single-threaded"
    )

    print(
        f"Load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work shares them)"
    )

    startup = worker_startup_seconds()
    print(f"Worker start-up (idle db_worker --batch): {startup:.2f} s")

    # The machine is shared, so the bare run is measured right before and right
    # after the one-worker pipeline, and compared with their mean.
    bare = bare_tesseract(pdf)
    results = {}
    try:
        for workers in (1, 2):
            elapsed, pages, page_seconds, done = run_pipeline(owner, pdf, workers)
            results[workers] = (elapsed, pages)
            ppm = 60 * pages / elapsed
            steady_ppm = 60 * pages / max(elapsed - startup, 1e-9)
            print(
                f"Pipeline, {workers} worker{'s' if workers > 1 else ' '}:   {ppm:6.1f} pages/min  "
                f"({pages} pages in {elapsed:.1f} s; {steady_ppm:.1f} pages/min without worker start-up; "
                f"wait for render + OCR {statistics.mean(page_seconds):.2f} s/page)"
            )
            if workers == 1:
                bare_after = bare_tesseract(pdf)
        for label, seconds in (("before", bare), ("after", bare_after)):
            print(
                f"Bare tesseract {label:6}: {60 * page_count / sum(seconds):6.1f} pages/min  "
                f"({statistics.mean(seconds):.2f} s/page, {page_count} pages)"
            )
        bare_ppm = 60 * 2 * page_count / (sum(bare) + sum(bare_after))
        one_elapsed, one_pages = results[1]
        one_ppm = 60 * one_pages / one_elapsed
        steady_one = 60 * one_pages / (one_elapsed - startup)
        print(
            f"Overhead vs bare tesseract ({bare_ppm:.1f} pages/min), 1 worker: "
            f"{100 * (bare_ppm / one_ppm - 1):+.1f}% "
            f"({100 * (bare_ppm / steady_one - 1):+.1f}% without worker start-up); target <= 10%"
        )
        summary(
            "OCR pipeline, 1 worker (pages/min, higher is better)",
            one_ppm,
            unit="ppm",
            limit=("bare tesseract", bare_ppm),
        )
        two_elapsed, two_pages = results[2]
        speedup = (60 * two_pages / two_elapsed) / one_ppm
        print(f"2 workers vs 1: x{speedup:.2f} pages/min on {os.cpu_count()} CPUs")
        print("Accuracy (items with their exact price), first scan:")
        for name, found, total in accuracy(done[0], layouts):
            print(f"  {name:12} {found:3}/{total:<3} {100 * found / total:5.1f}%")
        print(f"  mean confidence {done[0].mean_confidence}%")
    finally:
        User.objects.filter(email=EMAIL).delete()
        DBTaskResult.objects.filter(task_path="ocr.worker.process_scan").delete()


if __name__ == "__main__":
    main()
