"""The worker path: the real database task queue, the per-scan lock, recovery of
scans a dead worker left behind, retries, and files that must fail cleanly."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image
from pypdf import PdfWriter

from audit.models import AuditEntry
from ocr import engines, services, worker
from ocr.locks import ScanLock, scan_lock_held
from ocr.models import Scan
from ocr.tests import corpus
from ocr.tests.conftest import small_png, upload
from ocr.tests.factories import ScanFactory


def _scan(owner, name="prices.png", data=None, **fields) -> Scan:
    scan = services.scan_create(owner=owner, upload=upload(name, data or small_png()))
    if fields:
        Scan.objects.filter(pk=scan.pk).update(**fields)
        scan.refresh_from_db()
    return scan


@pytest.mark.django_db(transaction=True)
def test_upload_through_the_api_is_read_by_db_worker(owner, items, client):
    client.force_login(owner)
    png = corpus.png_bytes(corpus.table_page(items[:4]))
    response = client.post("/api/ocr/scans/", {"file": upload("four.png", png)})
    assert response.status_code == 201, response.content
    scan_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [scan_id]

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == "completed"
    scan = Scan.objects.get(pk=scan_id)
    assert (scan.status, scan.items_found, scan.attempts) == (Scan.Status.COMPLETED, 4, 1)
    assert sorted(scan.candidates.values_list("price", flat=True)) == sorted(item.price for item in items[:4])
    assert AuditEntry.objects.filter(action="ocr.scan.complete", object_id=str(scan_id)).exists()


@pytest.mark.django_db
def test_a_locked_scan_is_left_to_the_worker_holding_the_lock(owner, items):
    scan = _scan(owner, data=corpus.png_bytes(corpus.table_page(items[:2])))
    holder = ScanLock(scan.pk)
    assert holder.acquire()
    assert worker.scan_process(scan_id=scan.pk) == "locked"
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (Scan.Status.PENDING, 0)
    holder.release()
    assert worker.scan_process(scan_id=scan.pk) == "completed"


@pytest.mark.postgres
def test_the_scan_lock_ends_with_its_holders_database_session(db, owner):
    from django.db import connection

    holder = ScanLock(1)
    assert holder.acquire() and scan_lock_held(1) and holder.held()
    assert not ScanLock(1).acquire()
    with holder._conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    # What happens when the worker process dies: PostgreSQL ends its session.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert not holder.held()
    assert not scan_lock_held(1)
    fresh = ScanLock(1)
    assert fresh.acquire()
    fresh.release()


@pytest.mark.django_db
def test_a_scan_left_processing_by_a_dead_worker_is_queued_again(owner):
    stale = timezone.now() - timedelta(hours=1)
    scan = _scan(owner, status=Scan.Status.PROCESSING, heartbeat_at=stale, attempts=1)
    alive = _scan(owner, status=Scan.Status.PROCESSING, heartbeat_at=timezone.now(), attempts=1)
    tasks_before = DBTaskResult.objects.count()

    assert worker.recover_stale_scans() == 1

    scan.refresh_from_db()
    alive.refresh_from_db()
    assert scan.status == Scan.Status.PENDING and "stopped" in scan.error
    assert alive.status == Scan.Status.PROCESSING
    assert DBTaskResult.objects.count() == tasks_before + 1


@pytest.mark.django_db
def test_a_stale_scan_whose_lock_is_still_held_is_not_taken_over(owner):
    scan = _scan(owner, status=Scan.Status.PROCESSING, heartbeat_at=timezone.now() - timedelta(hours=1))
    holder = ScanLock(scan.pk)
    assert holder.acquire()
    try:
        assert worker.recover_stale_scans() == 0
    finally:
        holder.release()


@pytest.mark.django_db
def test_a_scan_whose_worker_died_three_times_fails_with_the_reason(owner):
    scan = _scan(
        owner, status=Scan.Status.PROCESSING, heartbeat_at=timezone.now() - timedelta(hours=1), attempts=3
    )
    worker.recover_stale_scans()
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert scan.error == "Gave up after 3 tries: the worker stopped while reading this file."


@pytest.mark.django_db
def test_unexpected_errors_are_retried_then_fail_after_three_tries(owner, items, monkeypatch):
    scan = _scan(owner, data=corpus.png_bytes(corpus.table_page(items[:1])))

    def tesseract_crashes(page, engine):
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr(engines, "read_words", tesseract_crashes)
    assert worker.scan_process(scan_id=scan.pk) == "retrying"
    scan.refresh_from_db()
    assert (scan.status, scan.attempts, scan.error) == (
        Scan.Status.PENDING,
        1,
        "RuntimeError: tesseract crashed",
    )
    assert worker.scan_process(scan_id=scan.pk) == "retrying"
    assert worker.scan_process(scan_id=scan.pk) == "failed"
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (Scan.Status.FAILED, 3)
    assert scan.error == "Gave up after 3 tries. Last error: RuntimeError: tesseract crashed"
    # One task per try: the first from the upload, one for each retry.
    assert DBTaskResult.objects.count() == 3


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(corpus.pdf_bytes([Image.new("RGB", (200, 200), "white")])))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _bomb_png() -> bytes:
    # 1-bit and blank, so a few kilobytes on disk; 100 million pixels once opened.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("locked.pdf", _encrypted_pdf, "The PDF is protected by a password; upload an unlocked copy."),
        ("broken.pdf", lambda: b"%PDF-1.4\n1 0 obj garbage", "The PDF is damaged and cannot be read."),
        (
            "notes.txt",
            lambda: b"just some text, not a picture",
            "This is neither a PDF nor an image Tesseract can read (PNG, JPEG, TIFF, WebP).",
        ),
        ("bomb.png", _bomb_png, "The image is 10000 x 10000 pixels, more than the 89,478,485 pixels allowed"),
        (
            "drawing.gif",
            lambda: _image_bytes("GIF"),
            "GIF images are not supported; use PNG, JPEG, TIFF or WebP.",
        ),
    ],
)
def test_unreadable_files_fail_with_a_clear_reason_and_no_retry(owner, name, data, reason):
    # Stored as is: the upload door refuses text and GIFs before this (test_files.py),
    # and the worker must still fail them cleanly (files stored before that check).
    scan = ScanFactory(
        owner=owner, status=Scan.Status.PENDING, file=ContentFile(data(), name=name), page_count=None
    )
    assert worker.scan_process(scan_id=scan.pk) == "failed"
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert scan.error.startswith(reason)
    assert scan.attempts == 1
    assert AuditEntry.objects.filter(action="ocr.scan.fail", object_id=str(scan.pk)).exists()


def _image_bytes(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.django_db
def test_too_many_pages_fails(owner, settings):
    settings.OCR_MAX_PAGES = 1
    blank = Image.new("RGB", (100, 100), "white")
    scan = _scan(owner, name="two.pdf", data=corpus.pdf_bytes([blank, blank]))
    assert worker.scan_process(scan_id=scan.pk) == "failed"
    scan.refresh_from_db()
    assert scan.error == "The file has 2 pages; the most is 1."


@pytest.mark.django_db
def test_a_page_over_the_time_limit_fails_the_scan_instead_of_hanging(owner, items, settings):
    settings.OCR_PAGE_TIMEOUT_SECONDS = 0.01
    scan = _scan(owner, data=corpus.png_bytes(corpus.table_page(items[:5])))
    assert worker.scan_process(scan_id=scan.pk) == "failed"
    scan.refresh_from_db()
    assert scan.error == "Tesseract took longer than 0.01 s."
    assert scan.pages.get().error == "Tesseract took longer than 0.01 s."


@pytest.mark.django_db
def test_rerunning_a_page_reads_only_that_page_again(owner, items):
    pages = [corpus.table_page(items[:3]), corpus.table_page(items[3:6])]
    scan = _scan(owner, name="two.pdf", data=corpus.pdf_bytes(pages))
    assert worker.scan_process(scan_id=scan.pk) == "completed"
    first_page = scan.pages.get(number=1)
    second_page = scan.pages.get(number=2)

    scan = services.page_rerun(page=second_page, actor=owner)
    assert (scan.status, scan.pages_done) == (Scan.Status.PENDING, 1)
    assert worker.scan_process(scan_id=scan.pk) == "completed"

    scan.refresh_from_db()
    assert scan.pages.get(number=1).pk == first_page.pk
    assert scan.pages.get(number=2).pk != second_page.pk
    assert (scan.items_found, scan.pages_done) == (6, 2)


@pytest.mark.django_db
def test_recover_command(owner):
    scan = _scan(owner, status=Scan.Status.PROCESSING, heartbeat_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("ocr_recover", stdout=out)
    assert out.getvalue().strip() == "Recovered 1 stale scans."
    scan.refresh_from_db()
    assert scan.status == Scan.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_scan_deleted_while_it_is_read_stops_the_worker_quietly(owner, items, monkeypatch):
    scan = _scan(owner, data=corpus.png_bytes(corpus.table_page(items[:1])))
    read_words = engines.read_words

    def seller_deletes_meanwhile(page, engine):
        services.scan_delete(scan=Scan.objects.get(pk=scan.pk), actor=owner)
        return read_words(page, engine)

    monkeypatch.setattr(engines, "read_words", seller_deletes_meanwhile)
    assert worker.scan_process(scan_id=scan.pk) == "deleted"
    assert not Scan.objects.filter(pk=scan.pk).exists()
