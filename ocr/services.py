"""The seller's writes to scans, their pages and candidates: upload, edits, conversion
into listings, re-reading a page, deletion. The worker's reading is ``ocr.worker``."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record, field_changes
from listing_templates.models import ListingTemplate
from listing_templates.services import template_use_record
from listings.fields import Source, Status
from listings.models import Listing
from listings.services.changes import NewListing, changes_apply
from listings.validation import clean_listing, clean_template_defaults, parse_bool
from marketplace.errors import FieldError, InvalidInput
from ocr import engines, pages
from ocr.models import CANDIDATE_FIELDS, Candidate, Scan, ScanPage
from ocr.worker import process_scan

logger = logging.getLogger(__name__)

# How the engine names the candidate -> listing link it restores on redo.
CANDIDATE_LINK = "ocr.candidate.listing"


class CandidatesInvalid(InvalidInput):
    """Candidates that cannot become listings: each error's index is the candidate's
    position in the conversion, and the API names the candidate's id beside it."""

    def __init__(self, errors: list[FieldError], candidate_ids: Sequence[int]) -> None:
        super().__init__(errors)
        self.candidate_ids = list(candidate_ids)

    def error_items(self) -> list[dict[str, Any]]:
        return [
            {**error.as_dict(), "candidate": self.candidate_ids[error.index]}
            if error.index is not None
            else error.as_dict()
            for error in self.errors
        ]


@transaction.atomic
def scan_create(*, owner: User, upload: UploadedFile, engine: str = engines.TESSERACT) -> Scan:
    """Store an upload and queue it for reading by ``engine``. Only a PDF or a raster
    image (by its content) is taken; whether its pages can be read is checked by the
    worker, which fails the scan with a reason if they cannot."""
    if engine not in dict(engines.CHOICES):
        raise InvalidInput.one("engine", "Choose Tesseract, PP-OCR or Both.")
    limit = settings.OCR_MAX_BYTES
    if not upload.size:
        raise InvalidInput.one("file", "The file is empty.")
    if upload.size > limit:
        raise InvalidInput.one(
            "file", f"The file is {upload.size / 1e6:.1f} MB; the most is {limit / 1e6:.0f} MB."
        )
    try:
        extension = pages.upload_extension(upload)
    except pages.ScanRejected as exc:
        raise InvalidInput.one("file", str(exc)) from exc
    name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
    scan = Scan(owner=owner, original_name=name, file_size=upload.size, engine=engine)
    # Stored under a name of ours: the uploaded one is only shown, never trusted.
    scan.file.save(f"scan.{extension}", upload, save=False)
    scan.save()
    audit_record(
        actor=owner,
        action="ocr.scan.create",
        obj=scan,
        changes={"file": name, "size": upload.size, "engine": engine},
    )
    process_scan.enqueue(scan.pk)
    return scan


def _clean_candidate_edit(data: Mapping[str, Any]) -> dict[str, Any]:
    """The edited fields, cleaned by the listing rules (the one validator)."""
    unknown = sorted(set(data) - {*CANDIDATE_FIELDS, "selected"})
    if unknown:
        raise InvalidInput([FieldError(name, "Not a candidate field.") for name in unknown])
    cleaned = clean_listing({k: v for k, v in data.items() if k in CANDIDATE_FIELDS}, partial=True)
    if "selected" in data:
        cleaned["selected"] = parse_bool(data["selected"], "selected")
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
    errors: list[FieldError] = []
    updated = []
    for index, edit in enumerate(edits):
        candidate = by_id.get(edit.get("id")) if isinstance(edit, Mapping) else None
        if candidate is None:
            errors.append(FieldError("id", "No such candidate in this scan.", index))
            continue
        try:
            updated.append(
                candidate_update(
                    candidate=candidate, data={k: v for k, v in edit.items() if k != "id"}, actor=actor
                )
            )
        except InvalidInput as exc:
            errors += [FieldError(e.field, e.message, index) for e in exc.errors]
    if errors:
        transaction.set_rollback(True)
        raise InvalidInput(errors)
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
    named ones, or by default the ticked ones (``selected``; new candidates start
    ticked) not converted yet: the review page and the API choose alike. A
    template's defaults fill the fields a candidate leaves empty. All or nothing."""
    candidates = scan.candidates.select_for_update(of=("self",)).order_by("page__number", "position", "id")
    if candidate_ids is None:
        chosen = list(candidates.filter(selected=True, listing__isnull=True))
    else:
        chosen = list(candidates.filter(pk__in=candidate_ids))
        unknown = sorted(set(candidate_ids) - {candidate.pk for candidate in chosen})
        converted = [candidate.pk for candidate in chosen if candidate.listing_id]
        if unknown or converted:
            raise InvalidInput(
                [FieldError("candidates", f"Candidate {pk} is not in this scan.") for pk in unknown]
                + [FieldError("candidates", f"Candidate {pk} is already a listing.") for pk in converted]
            )
    if not chosen:
        raise InvalidInput.one("candidates", "No ticked candidates left to convert.")
    defaults = clean_template_defaults(template.defaults) if template is not None else {}
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, candidate in enumerate(chosen):
        values = {name: getattr(candidate, name) for name in CANDIDATE_FIELDS}
        data = {**defaults, **{name: value for name, value in values.items() if value not in (None, "")}}
        # Read by OCR, not yet looked over by the seller: a draft, whatever the template says.
        data["status"] = Status.DRAFT
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
            errors += [FieldError(e.field, e.message, index, e.code) for e in exc.errors]
    if errors:
        raise CandidatesInvalid(errors, [candidate.pk for candidate in chosen])
    # One undo step: the listings, their links to the scan and candidates, and the
    # scan's own entry share the batch.
    result = changes_apply(
        actor=actor,
        action="ocr.scan.convert",
        create=rows,
        entry_actions={"create": "listing.create_from_ocr"},
    )
    # The candidates stay ticked: their link to the listing keeps them out of the next
    # conversion, and an undo (which clears the link) leaves them as the seller had them.
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
        raise InvalidInput.one("page", "Wait until the scan has finished.")
    delete_files([page.thumbnail.name] if page.thumbnail else [])
    page.delete()
    scan.status = Scan.Status.PENDING
    scan.pages_done = scan.pages.count()
    scan.attempts = 0
    scan.error = ""
    scan.started_at = None
    scan.save()
    audit_record(actor=actor, action="ocr.page.rerun", obj=scan, changes={"page": page.number})
    process_scan.enqueue(scan.pk)
    return scan


def delete_files(names: Iterable[str]) -> None:
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
    delete_files([scan.file.name, *thumbnails])
    scan.delete()
