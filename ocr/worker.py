"""The background worker's side of OCR: reading a scan page by page with the engine,
storing pages and candidates, retries, and recovering scans a dead worker left.
``process_scan`` is the task (Django's Tasks API; ``manage.py db_worker`` runs it on
any number of hosts); the seller's writes, which queue it, are ``ocr.services``."""

import logging
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from statistics import mean

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from PIL import Image

from audit.services import audit_record
from ocr import engines, pages, parsing
from ocr.locks import ScanLock, scan_lock_held
from ocr.models import Candidate, Scan, ScanPage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _stale_after() -> timedelta:
    # A page is rendered and read within two page timeouts; allow a third for the writes.
    return timedelta(seconds=3 * settings.OCR_PAGE_TIMEOUT_SECONDS)


def scan_process(*, scan_id: int) -> str:
    """Read a scan page by page. Returns what happened, for the task's result."""
    recover_stale_scans()
    lock = ScanLock(scan_id)
    if not lock.acquire():
        return "locked"
    try:
        scan = _scan_begin(scan_id)
        if scan is None:
            return "skipped"
        try:
            _read_pages(scan, lock)
            return _scan_finish(scan_id)
        except pages.ScanRejected as exc:
            _scan_fail(scan_id, str(exc))
            return "failed"
        except Exception as exc:
            if not Scan.objects.filter(pk=scan_id).exists():
                # The seller deleted the scan while it was being read.
                return "deleted"
            logger.exception("OCR of scan %s failed (try %s)", scan_id, scan.attempts)
            return _scan_retry(scan_id, f"{exc.__class__.__name__}: {exc}")
    finally:
        lock.release()


@transaction.atomic
def _scan_begin(scan_id: int) -> Scan | None:
    scan = Scan.objects.select_for_update().filter(pk=scan_id).first()
    if scan is None or not scan.is_running:
        return None
    if scan.attempts >= MAX_ATTEMPTS:
        _fail(scan, f"Gave up after {MAX_ATTEMPTS} tries. Last error: {scan.error or 'the worker stopped'}")
        return None
    now = timezone.now()
    scan.attempts += 1
    scan.status = Scan.Status.PROCESSING
    scan.heartbeat_at = now
    scan.started_at = scan.started_at or now
    scan.save()
    return scan


def _read_pages(scan: Scan, lock: ScanLock) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="ocr-") as workdir,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr-render") as renderer,
    ):
        path = _local_copy(scan, Path(workdir))
        count = pages.page_count(path)
        Scan.objects.filter(pk=scan.pk).update(page_count=count)
        done = set(scan.pages.values_list("number", flat=True))
        numbers = [number for number in range(1, count + 1) if number not in done]
        # Poppler renders the next page while the engine reads this one: two
        # processes, so the rendering costs no time where a second core is free.
        # At most two pages are on disk, whatever the length of the PDF.
        upcoming = renderer.submit(pages.render_page, path, numbers[0], Path(workdir)) if numbers else None
        for position, number in enumerate(numbers):
            started = time.perf_counter()
            rendering = upcoming
            if position + 1 < len(numbers):
                upcoming = renderer.submit(pages.render_page, path, numbers[position + 1], Path(workdir))
            page_file = None
            try:
                page_file = rendering.result()
                with Image.open(page_file) as image:
                    words, shown = engines.read_image(image, scan.engine, Path(workdir))
            except pages.PageTimeout as exc:
                _page_store(scan, number, words=None, image=None, started=started, error=str(exc))
            else:
                _page_store(scan, number, words=words, image=shown, started=started)
            if page_file is not None:
                page_file.unlink(missing_ok=True)
            lock.refresh()


def _local_copy(scan: Scan, workdir: Path) -> Path:
    """The scan as a local file for Poppler and the engines, whatever the storage."""
    path = workdir / f"source.{scan.file.name.rsplit('.', 1)[-1]}"
    with scan.file.open("rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return path


@transaction.atomic
def _page_store(scan: Scan, number: int, *, words, image, started: float, error: str = "") -> ScanPage:
    words = words or []
    width, height = image.size if image is not None else (0, 0)
    page = ScanPage(
        scan=scan,
        number=number,
        words=words,
        text=parsing.page_text(words),
        mean_confidence=parsing.mean_confidence(words),
        width=width,
        height=height,
        error=error,
    )
    if image is not None:
        page.thumbnail.save(
            f"scan{scan.pk}-page{number}.png", ContentFile(pages.thumbnail_png(image)), save=False
        )
    page.seconds = round(time.perf_counter() - started, 3)
    page.save()
    Candidate.objects.bulk_create(
        Candidate(
            scan=scan,
            page=page,
            position=position,
            title=candidate.title,
            price=candidate.price,
            description=candidate.description,
            sku=candidate.sku,
            confidence=candidate.confidence,
            field_confidence=candidate.field_confidence,
            layout=candidate.layout,
            boxes=[[w.left, w.top, w.width, w.height] for w in candidate.words],
        )
        for position, candidate in enumerate(parsing.parse_page(words))
    )
    Scan.objects.filter(pk=scan.pk).update(
        pages_done=scan.pages.count(), heartbeat_at=timezone.now(), updated_at=timezone.now()
    )
    return page


@transaction.atomic
def _scan_finish(scan_id: int) -> str:
    scan = Scan.objects.select_for_update().get(pk=scan_id)
    pages = list(scan.pages.all())
    read = [page for page in pages if not page.error]
    if not read:
        _fail(scan, pages[0].error if pages else "The file has no pages.")
        return "failed"
    confidences = [page.mean_confidence for page in read if page.mean_confidence is not None]
    now = timezone.now()
    scan.status = Scan.Status.COMPLETED
    scan.items_found = scan.candidates.count()
    scan.mean_confidence = round(mean(confidences), 1) if confidences else None
    scan.finished_at = now
    scan.duration_seconds = round((now - scan.started_at).total_seconds(), 2)
    scan.pages_done = len(pages)
    scan.error = "; ".join(f"Page {page.number}: {page.error}" for page in pages if page.error)
    scan.save()
    audit_record(
        actor=None,
        action="ocr.scan.complete",
        obj=scan,
        changes={
            "items_found": scan.items_found,
            "seconds": scan.duration_seconds,
            "mean_confidence": scan.mean_confidence,
        },
    )
    return "completed"


def _fail(scan: Scan, reason: str) -> None:
    scan.status = Scan.Status.FAILED
    scan.error = reason
    scan.finished_at = timezone.now()
    scan.save()
    audit_record(actor=None, action="ocr.scan.fail", obj=scan, changes={"error": reason})


@transaction.atomic
def _scan_fail(scan_id: int, reason: str) -> None:
    _fail(Scan.objects.select_for_update().get(pk=scan_id), reason)


@transaction.atomic
def _scan_retry(scan_id: int, error: str) -> str:
    """After an unexpected error: queue another try, or fail after the last one."""
    scan = Scan.objects.select_for_update().get(pk=scan_id)
    if scan.attempts >= MAX_ATTEMPTS:
        _fail(scan, f"Gave up after {MAX_ATTEMPTS} tries. Last error: {error}")
        return "failed"
    scan.status = Scan.Status.PENDING
    scan.error = error
    scan.save()
    process_scan.enqueue(scan.pk)
    return "retrying"


@transaction.atomic
def recover_stale_scans() -> int:
    """Scans a dead worker left in processing (stale heartbeat, lock expired) go
    back to the queue, or fail once they have had their tries. Returns how many."""
    stale = Scan.objects.select_for_update(skip_locked=True).filter(
        status=Scan.Status.PROCESSING, heartbeat_at__lt=timezone.now() - _stale_after()
    )
    recovered = 0
    for scan in stale:
        if scan_lock_held(scan.pk):
            continue
        if scan.attempts >= MAX_ATTEMPTS:
            _fail(scan, f"Gave up after {MAX_ATTEMPTS} tries: the worker stopped while reading this file.")
        else:
            scan.status = Scan.Status.PENDING
            scan.error = "The worker stopped while reading this file; trying again."
            scan.save()
            audit_record(actor=None, action="ocr.scan.recover", obj=scan, changes={"attempts": scan.attempts})
            process_scan.enqueue(scan.pk)
        recovered += 1
    return recovered


# Queued in the same transaction as the scan it reads (the database task backend), so
# neither exists without the other.
@task()
def process_scan(scan_id: int) -> str:
    return scan_process(scan_id=scan_id)
