"""Every write to scans, their pages and candidates. The worker's steps live here
too, so the API, the HTML views, the task and commands share one code path."""

import logging
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import mean
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record, field_changes
from listing_templates.models import ListingTemplate
from listing_templates.services import template_use_record
from listings.fields import Source
from listings.models import Listing
from listings.services.changes import NewListing, changes_apply
from listings.validation import clean_listing, clean_template_defaults, parse_bool
from marketplace.errors import FieldError, InvalidInput
from ocr import engine, parsing
from ocr.locks import ScanLock, scan_lock_held
from ocr.models import Candidate, Scan, ScanPage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
CANDIDATE_FIELDS = ("title", "price", "description")
# How the engine names the candidate -> listing link it restores on redo.
CANDIDATE_LINK = "ocr.candidate.listing"


@dataclass
class ScanInvalid(Exception):
    """Bad input to an OCR write: ``errors`` are ``{"index"?, "field", "message"}``."""

    errors: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e['field']}: {e['message']}" for e in self.errors)


def _stale_after() -> timedelta:
    # A page is rendered and read within two page timeouts; allow a third for the writes.
    return timedelta(seconds=3 * settings.OCR_PAGE_TIMEOUT_SECONDS)


def _enqueue(scan: Scan) -> None:
    # Inside the caller's transaction: with the database task backend the task row
    # commits together with the scan, so neither exists without the other.
    from ocr.tasks import process_scan

    process_scan.enqueue(scan.pk)


# --- Upload, edits, conversion, deletion (the seller's writes) ---------------


@transaction.atomic
def scan_create(*, owner: User, upload: UploadedFile) -> Scan:
    """Store an upload and queue it for reading. What is inside the file is
    checked by the worker, which fails the scan with a reason if it is unreadable."""
    limit = settings.OCR_MAX_BYTES
    if not upload.size:
        raise ScanInvalid([{"field": "file", "message": "The file is empty."}])
    if upload.size > limit:
        raise ScanInvalid(
            [
                {
                    "field": "file",
                    "message": f"The file is {upload.size / 1e6:.1f} MB; the most is {limit / 1e6:.0f} MB.",
                }
            ]
        )
    name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
    scan = Scan(owner=owner, original_name=name, file_size=upload.size)
    scan.file.save(name, upload, save=False)
    scan.save()
    audit_record(actor=owner, action="ocr.scan.create", obj=scan, changes={"file": name, "size": upload.size})
    _enqueue(scan)
    return scan


def _clean_candidate_edit(data: Mapping[str, Any]) -> dict[str, Any]:
    """The edited fields, cleaned by the listing rules (the one validator)."""
    unknown = sorted(set(data) - {*CANDIDATE_FIELDS, "selected"})
    if unknown:
        raise InvalidInput([FieldError(name, "Not a candidate field.") for name in unknown])
    cleaned = clean_listing({k: v for k, v in data.items() if k in CANDIDATE_FIELDS}, partial=True)
    if "selected" in data:
        try:
            cleaned["selected"] = parse_bool(data["selected"])
        except ValueError as exc:
            raise InvalidInput([FieldError("selected", str(exc))]) from exc
    return cleaned


@transaction.atomic
def candidate_update(*, candidate: Candidate, data: Mapping[str, Any], actor: User) -> Candidate:
    """Correct one candidate. Editing a field marks the scan corrected."""
    cleaned = _clean_candidate_edit(data)
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    before = {name: getattr(locked, name) for name in cleaned}
    changes = field_changes(before, cleaned)
    if not changes:
        return locked
    for name, value in cleaned.items():
        setattr(locked, name, value)
    if set(changes) & set(CANDIDATE_FIELDS):
        locked.edited = True
        Scan.objects.filter(pk=locked.scan_id, status=Scan.Status.COMPLETED).update(
            status=Scan.Status.CORRECTED, updated_at=timezone.now()
        )
    locked.save()
    audit_record(actor=actor, action="ocr.candidate.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def scan_correct(*, scan: Scan, edits: Sequence[Mapping[str, Any]], actor: User) -> list[Candidate]:
    """Apply a list of ``{"id", field: value}`` edits: all of them or none."""
    by_id = {candidate.pk: candidate for candidate in scan.candidates.all()}
    errors, updated = [], []
    for index, edit in enumerate(edits):
        candidate = by_id.get(edit.get("id")) if isinstance(edit, Mapping) else None
        if candidate is None:
            errors.append({"index": index, "field": "id", "message": "No such candidate in this scan."})
            continue
        try:
            updated.append(
                candidate_update(
                    candidate=candidate, data={k: v for k, v in edit.items() if k != "id"}, actor=actor
                )
            )
        except InvalidInput as exc:
            errors += [{"index": index, "field": e.field, "message": e.message} for e in exc.errors]
    if errors:
        transaction.set_rollback(True)
        raise ScanInvalid(errors)
    return updated


@transaction.atomic
def scan_convert(
    *,
    scan: Scan,
    actor: User,
    candidate_ids: Sequence[int] | None = None,
    template: ListingTemplate | None = None,
) -> list[Listing]:
    """Turn candidates into listings (source ``ocr``, linked to the scan): the
    named ones, or every candidate not converted yet. A template's defaults fill
    the fields a candidate leaves empty. All or nothing."""
    candidates = scan.candidates.select_for_update(of=("self",)).order_by("page__number", "position", "id")
    if candidate_ids is None:
        chosen = list(candidates.filter(listing__isnull=True))
    else:
        chosen = list(candidates.filter(pk__in=candidate_ids))
        unknown = sorted(set(candidate_ids) - {candidate.pk for candidate in chosen})
        converted = [candidate.pk for candidate in chosen if candidate.listing_id]
        if unknown or converted:
            raise ScanInvalid(
                [{"field": "candidates", "message": f"Candidate {pk} is not in this scan."} for pk in unknown]
                + [
                    {"field": "candidates", "message": f"Candidate {pk} is already a listing."}
                    for pk in converted
                ]
            )
    if not chosen:
        raise ScanInvalid([{"field": "candidates", "message": "No candidates left to convert."}])
    defaults = clean_template_defaults(template.defaults) if template is not None else {}
    rows, errors = [], []
    for index, candidate in enumerate(chosen):
        values = {name: getattr(candidate, name) for name in CANDIDATE_FIELDS}
        data = {**defaults, **{name: value for name, value in values.items() if value not in (None, "")}}
        try:
            rows.append(
                NewListing(
                    owner_id=scan.owner_id,
                    values=clean_listing(data),
                    source=Source.OCR,
                    ocr_scan_id=scan.pk,
                    # The engine points the candidate at its listing, and again on redo.
                    links={CANDIDATE_LINK: [candidate.pk]},
                )
            )
        except InvalidInput as exc:
            errors += [
                {"index": index, "candidate": candidate.pk, "field": e.field, "message": e.message}
                for e in exc.errors
            ]
    if errors:
        raise ScanInvalid(errors)
    # One undo step: the listings, their links to the scan and candidates, and the
    # scan's own entry share the batch.
    result = changes_apply(
        actor=actor,
        action="ocr.scan.convert",
        create=rows,
        entry_actions={"create": "listing.create_from_ocr"},
    )
    Candidate.objects.filter(pk__in=[candidate.pk for candidate in chosen]).update(selected=False)
    if template is not None:
        template_use_record(
            template=template,
            actor=actor,
            details={"ocr_scan": scan.pk, "listings_created": len(result.created)},
            batch=result.batch,
        )
    audit_record(
        actor=actor,
        action="ocr.scan.convert",
        obj=scan,
        changes={"listings": result.created, "template": template.pk if template else None},
        batch=result.batch,
    )
    return list(Listing.objects.filter(pk__in=result.created).order_by("id"))


@transaction.atomic
def page_rerun(*, page: ScanPage, actor: User) -> Scan:
    """Read one page again: drop it (and its unconverted candidates) and let the
    worker fill the gap, as it does when resuming an interrupted scan."""
    scan = Scan.objects.select_for_update().get(pk=page.scan_id)
    if scan.is_running:
        raise ScanInvalid([{"field": "page", "message": "Wait until the scan has finished."}])
    _delete_files([page.thumbnail.name] if page.thumbnail else [])
    page.delete()
    scan.status = Scan.Status.PENDING
    scan.pages_done = scan.pages.count()
    scan.attempts = 0
    scan.error = ""
    scan.started_at = None
    scan.save()
    audit_record(actor=actor, action="ocr.page.rerun", obj=scan, changes={"page": page.number})
    _enqueue(scan)
    return scan


def _delete_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    names = [name for name in names if name]

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    # Only once the rows are gone for good: a rollback must not lose the files.
    transaction.on_commit(delete)


@transaction.atomic
def scan_delete(*, scan: Scan, actor: User) -> None:
    """Delete a scan, its pages, candidates and files. Listings made from it stay."""
    thumbnails = list(scan.pages.exclude(thumbnail="").values_list("thumbnail", flat=True))
    audit_record(
        actor=actor,
        action="ocr.scan.delete",
        obj=scan,
        changes={"file": scan.original_name, "status": scan.status, "items_found": scan.items_found},
    )
    _delete_files([scan.file.name, *thumbnails])
    scan.delete()


# --- The worker ----------------------------------------------------------------


def scan_process(*, scan_id: int) -> str:
    """Read a scan page by page. Returns what happened, for the task's result."""
    recover_stale_scans()
    lock = ScanLock(scan_id, timeout=int(_stale_after().total_seconds()))
    if not lock.acquire():
        return "locked"
    try:
        scan = _scan_begin(scan_id)
        if scan is None:
            return "skipped"
        try:
            _read_pages(scan, lock)
            return _scan_finish(scan_id)
        except engine.ScanRejected as exc:
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
    path = scan.file.path
    count = engine.page_count(path)
    Scan.objects.filter(pk=scan.pk).update(page_count=count)
    done = set(scan.pages.values_list("number", flat=True))
    numbers = [number for number in range(1, count + 1) if number not in done]
    with (
        tempfile.TemporaryDirectory(prefix="ocr-") as workdir,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr-render") as renderer,
    ):
        # Poppler renders the next page while Tesseract reads this one: two
        # processes, so the rendering costs no time where a second core is free.
        # At most two pages are on disk, whatever the length of the PDF.
        upcoming = renderer.submit(engine.render_page, path, numbers[0], Path(workdir)) if numbers else None
        for position, number in enumerate(numbers):
            started = time.perf_counter()
            rendering = upcoming
            if position + 1 < len(numbers):
                upcoming = renderer.submit(engine.render_page, path, numbers[position + 1], Path(workdir))
            page_file = None
            try:
                page_file = rendering.result()
                data = engine.read_words(page_file)
            except engine.PageTimeout as exc:
                _page_store(scan, number, page_file=None, data=None, started=started, error=str(exc))
            else:
                _page_store(scan, number, page_file=page_file, data=data, started=started)
            if page_file is not None:
                page_file.unlink(missing_ok=True)
            lock.refresh()


@transaction.atomic
def _page_store(scan: Scan, number: int, *, page_file, data, started: float, error: str = "") -> ScanPage:
    words = parsing.words_from_tesseract(data) if data else []
    lines = parsing.lines_from_words(words)
    width, height = engine.page_size(page_file) if page_file else (0, 0)
    page = ScanPage(
        scan=scan,
        number=number,
        words=words,
        text="\n".join(line.text for line in lines),
        mean_confidence=parsing.mean_confidence(words),
        width=width,
        height=height,
        error=error,
    )
    if page_file is not None:
        page.thumbnail.save(
            f"scan{scan.pk}-page{number}.png", ContentFile(engine.thumbnail_png(page_file)), save=False
        )
    page.seconds = round(time.perf_counter() - started, 3)
    page.save()
    found = parsing.parse_lines(lines)
    Candidate.objects.bulk_create(
        Candidate(
            scan=scan,
            page=page,
            position=position,
            title=candidate.title,
            price=candidate.price,
            description=candidate.description,
            confidence=candidate.confidence,
            layout=candidate.layout,
            boxes=[[w.left, w.top, w.width, w.height] for w in candidate.words],
        )
        for position, candidate in enumerate(found)
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
    _enqueue(scan)
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
            _enqueue(scan)
        recovered += 1
    return recovered
