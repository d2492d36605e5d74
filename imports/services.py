"""Every write of the import flow. Pages, the API and the background task call these.

``import_create`` parses and validates; nothing is written to listings, but the new
listings are staged exactly as previewed. ``import_commit`` writes them (and, when
updating, checks the rows again against the listings as they are then) through the
changeset engine in one transaction: an audit entry per listing and the import's
summary under one batch, one undo step.
"""

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from audit.services import audit_record
from imports.headers import ID, TARGETS, find_header_row, guess_mapping
from imports.models import Import, ImportFile
from imports.own_export import names_own_listings
from imports.readers import FileRejected, Spreadsheet, check_size, open_spreadsheet
from imports.rows import NEW, UNCHANGED, UPDATED, Checked, RowError, check_import, fix_key, load
from imports.selectors import progress_cache_key
from imports.writing import StagedRows, new_listings, staged_rows
from listing_templates.models import ListingTemplate
from listing_templates.services import template_use_record
from listings.fields import STORED_FIELDS
from listings.models import Listing
from listings.services.changes import changes_apply
from marketplace.errors import InvalidInput
from marketplace.input import printable, unstorable_reason
from marketplace.locks import HeldLock, Namespace, lock_held


class ImportRejected(InvalidInput):
    """The import cannot go ahead: ``message`` says why and ``errors`` (``RowError``)
    name file, row, column and reason, which the API lists as they are."""

    def __init__(self, message: str, errors: Sequence[RowError] = (), *, read_with_ocr: bool = False) -> None:
        super().__init__(list(errors), detail=message)
        self.message = message
        # A file was a PDF: the page points to the OCR page, which reads those.
        self.read_with_ocr = read_with_ocr

    def __str__(self) -> str:
        return self.message

    def error_items(self) -> list[dict[str, Any]]:
        return [error.as_dict() for error in self.errors]


class ImportNotCommittable(Exception):
    """The import is already queued, committing or committed."""


def _rejected(exc: FileRejected, name: str) -> ImportRejected:
    error = RowError(name, exc.row, exc.column, None, exc.message)
    return ImportRejected(exc.message, [error])


def _read(uploaded: UploadedFile) -> bytes:
    # Refused before reading when the size alone says no.
    check_size(uploaded.name, uploaded.size or 0)
    uploaded.seek(0)
    return uploaded.read()


def _choose_sheet(spreadsheet: Spreadsheet, sheet: str | None) -> tuple[str, int, list[str]]:
    """(sheet, header row index, headers): the named sheet, else the first one with a header."""
    if sheet and sheet not in spreadsheet.sheet_names:
        names = ", ".join(f"“{name}”" for name in spreadsheet.sheet_names)
        raise FileRejected(f"{spreadsheet.name} has no sheet “{sheet}”; its sheets are {names}.")
    for name in [sheet] if sheet else spreadsheet.readable_sheet_names:
        found = find_header_row(spreadsheet.rows(name))
        if found is not None:
            return name, *found
    where = f"sheet “{sheet}”" if sheet else "any sheet"
    raise FileRejected(
        f"{spreadsheet.name}: no title column in {where}. Name the column of titles “Title” "
        "(or Name, Item, Product) in a header row near the top. " + " ".join(spreadsheet.oversized.values())
    )


def _file_for(spreadsheet: Spreadsheet, sheet: str | None, position: int) -> ImportFile:
    chosen, header_row, headers = _choose_sheet(spreadsheet, sheet)
    # Stored as JSON, which PostgreSQL refuses with NUL in it (xlsx spells it "_x0000_").
    for text in (*spreadsheet.sheet_names, *headers):
        if reason := unstorable_reason(str(text)):
            shown = printable(str(text))
            raise FileRejected(f"{spreadsheet.name}: the sheet name or header “{shown}”: {reason}")
    return ImportFile(
        position=position,
        original_name=spreadsheet.name[:255],
        format=spreadsheet.format,
        sheet=chosen,
        sheet_names=spreadsheet.sheet_names,
        header_row=header_row,
        headers=headers,
        mapping=guess_mapping(headers),
    )


@transaction.atomic
def import_create(
    *,
    owner: User,
    files: Sequence[UploadedFile],
    mode: str | None = Import.Mode.CREATE,
    template: ListingTemplate | None = None,
    sheet: str | None = None,
) -> Import:
    """Read, check and validate ``files`` as one import; store them and the preview.
    With ``mode`` None the files decide: an export of the owner's own listings updates
    them, anything else creates listings.

    Raises ``ImportRejected`` naming every file that cannot be imported at all."""
    if mode is not None and mode not in Import.Mode.values:
        raise ImportRejected(f"Unknown mode “{mode}”; use one of: {', '.join(Import.Mode.values)}.")
    if not files:
        raise ImportRejected("Choose at least one file to import.")
    errors: list[RowError] = []
    read_with_ocr = False
    opened: list[tuple[Spreadsheet, bytes, ImportFile]] = []
    for position, uploaded in enumerate(files):
        try:
            data = _read(uploaded)
            spreadsheet = open_spreadsheet(uploaded.name, data)
            opened.append((spreadsheet, data, _file_for(spreadsheet, sheet, position)))
        except FileRejected as exc:
            errors += _rejected(exc, uploaded.name).errors
            read_with_ocr = read_with_ocr or exc.read_with_ocr
    if errors:
        raise ImportRejected(
            errors[0].message if len(errors) == 1 else "Some files cannot be imported.",
            errors,
            read_with_ocr=read_with_ocr,
        )

    import_files = [import_file for _, _, import_file in opened]
    by_key = {id(import_file): spreadsheet for spreadsheet, _, import_file in opened}
    if mode is None:
        own = names_own_listings(owner, import_files, lambda f: by_key[id(f)])
        mode = Import.Mode.UPDATE_MATCHING if own else Import.Mode.CREATE
    upload = Import(owner=owner, mode=mode, template=template)
    try:
        checked = check_import(
            upload,
            files=import_files,
            spreadsheets=lambda f: by_key[id(f)],
            keep_rows=mode == Import.Mode.CREATE,
            creates=StagedRows() if mode == Import.Mode.CREATE else None,
        )
    except FileRejected as exc:
        raise ImportRejected(exc.message, [RowError("", exc.row, exc.column, None, exc.message)]) from exc
    except InvalidInput as exc:
        raise ImportRejected(f"The template cannot be used: {exc}") from exc
    _apply_checked(upload, checked)
    upload.save()
    for spreadsheet, data, import_file in opened:
        import_file.upload = upload
        import_file.file.save(spreadsheet.name, ContentFile(data), save=False)
        import_file.save()
    return upload


def _apply_checked(upload: Import, checked: Checked) -> None:
    """Keep what the preview shows and, when creating, the rows it will write."""
    upload.counts = checked.counts
    upload.errors = [error.as_dict() for error in checked.errors[: Import.ERRORS_KEPT]]
    upload.preview = checked.preview
    if upload.mode == Import.Mode.CREATE:
        upload.staged.save("rows.jsonl", checked.creates.as_file(), save=False)
        checked.creates.close()


def _editable(upload: Import) -> None:
    if upload.status not in (Import.Status.PREVIEW, Import.Status.FAILED):
        raise ImportNotCommittable(
            f"This import is {upload.get_status_display().lower()}; it can no longer change."
        )


@transaction.atomic
def import_remap(
    *,
    upload: Import,
    import_file: ImportFile,
    sheet: str | None = None,
    mapping: Sequence[str] | None = None,
) -> Import:
    """Correct one file's sheet or column mapping and validate the import again."""
    _editable(upload)
    spreadsheet = load(import_file)
    try:
        if sheet and sheet != import_file.sheet:
            chosen = _file_for(spreadsheet, sheet, import_file.position)
            import_file.sheet, import_file.header_row = chosen.sheet, chosen.header_row
            import_file.headers, import_file.mapping = chosen.headers, chosen.mapping
        elif mapping is not None:
            import_file.mapping = _clean_mapping(upload, import_file, mapping)
    except FileRejected as exc:
        raise _rejected(exc, import_file.original_name) from exc
    files = [import_file if f.pk == import_file.pk else f for f in upload.files.all()]
    _check_again(upload, files, name=import_file.original_name)
    import_file.save()
    upload.save()
    return upload


def _check_again(upload: Import, files: Sequence[ImportFile], *, name: str) -> None:
    """Validate the import again after a correction and keep the new preview (the
    caller saves it); a problem with a whole file is ``ImportRejected``."""
    try:
        creating = upload.mode == Import.Mode.CREATE
        checked = check_import(
            upload, files=files, keep_rows=creating, creates=StagedRows() if creating else None
        )
    except FileRejected as exc:
        raise _rejected(exc, name) from exc
    if upload.staged:
        upload.staged.delete(save=False)
    _apply_checked(upload, checked)
    upload.status = Import.Status.PREVIEW
    upload.message = ""


@transaction.atomic
def import_fix_row(*, upload: Import, import_file: ImportFile, row: int, values: Mapping[str, str]) -> Import:
    """Correct cells of one row in the preview (``values``: field -> text, read as if
    the cell said it) and validate the import again."""
    _editable(upload)
    unknown = set(values) - set(STORED_FIELDS)
    if unknown:
        raise ImportRejected(f"“{sorted(unknown)[0]}” is not a listing field.")
    fixes = dict(upload.fixes or {})
    key = fix_key(import_file, row)
    # Read as the cell would be: clean_listing checks the text and its length.
    fixes[key] = {**fixes.get(key, {}), **{name: str(value) for name, value in values.items()}}
    upload.fixes = fixes
    _check_again(upload, list(upload.files.all()), name=import_file.original_name)
    upload.save()
    return upload


@transaction.atomic
def import_change_mode(*, upload: Import, mode: str) -> Import:
    """Create new listings from the rows, or update the listings their ids name."""
    _editable(upload)
    if mode not in Import.Mode.values:
        raise ImportRejected(f"Unknown mode “{mode}”; use one of: {', '.join(Import.Mode.values)}.")
    upload.mode = mode
    _check_again(upload, list(upload.files.all()), name="")
    upload.save()
    return upload


def _clean_mapping(upload: Import, import_file: ImportFile, mapping: Sequence[str]) -> list[str]:
    name = import_file.original_name
    if len(mapping) != len(import_file.headers):
        raise FileRejected(
            f"{name}: the mapping has {len(mapping)} columns; the sheet has {len(import_file.headers)}."
        )
    for column, target in enumerate(mapping):
        if target not in TARGETS:
            raise FileRejected(f"{name}: “{target}” is not something a column can hold.", column=str(column))
    for target in set(mapping) - {"extra", "ignore"}:
        if list(mapping).count(target) > 1:
            raise FileRejected(f"{name}: only one column can be mapped to {target}.")
    if "title" not in mapping and not (upload.mode == Import.Mode.UPDATE_MATCHING and ID in mapping):
        raise FileRejected(f"{name}: map one column to title.")
    return list(mapping)


def import_request_commit(*, upload: Import, actor: User, skip_invalid: bool = False) -> Import:
    """Commit now, or, past ``IMPORT_BACKGROUND_ROWS`` rows, queue a background commit
    whose progress the import page polls."""
    if (upload.counts.get("rows") or 0) <= settings.IMPORT_BACKGROUND_ROWS:
        return import_commit(upload=upload, actor=actor, skip_invalid=skip_invalid)
    if upload.counts.get("invalid") and not skip_invalid:
        # Known from the preview: say so now rather than from the worker later.
        raise ImportRejected(_invalid_message(upload.counts), [RowError(**error) for error in upload.errors])
    with transaction.atomic():
        claimed = Import.objects.filter(
            pk=upload.pk, status__in=(Import.Status.PREVIEW, Import.Status.FAILED)
        ).update(status=Import.Status.QUEUED, skip_invalid=skip_invalid, progress=0, message="")
        if not claimed:
            upload.refresh_from_db()
            _editable(upload)
        transaction.on_commit(
            lambda: commit_import.enqueue(import_id=upload.pk, actor_id=actor.pk, skip_invalid=skip_invalid)
        )
    upload.refresh_from_db()
    return upload


def _invalid_message(counts: dict) -> str:
    return (
        f"{counts['invalid']:,} of {counts['rows']:,} rows are invalid; nothing was imported. "
        "Fix them, or choose to skip invalid rows."
    )


def _changed_since_preview(upload: Import, *, invalid_before: int) -> ImportRejected | None:
    """The staged rows were refused as written (another change since the preview gave
    a listing a SKU one of them gives): the rows are checked again against the
    listings as they are now, and the preview kept with the rows that are invalid now,
    each named with its reason. None when checking finds no more invalid rows."""
    _check_again(upload, list(upload.files.all()), name="")
    upload.save(update_fields=["counts", "errors", "preview", "staged"])
    counts = upload.counts
    if counts["invalid"] <= invalid_before:
        return None
    return ImportRejected(
        f"Your listings changed since the preview: {counts['invalid']:,} of {counts['rows']:,} rows are "
        "invalid now; nothing was imported. The preview shows why; fix them, or skip invalid rows.",
        [RowError(**error) for error in upload.errors],
    )


def import_commit(*, upload: Import, actor: User, skip_invalid: bool = False) -> Import:
    """Write the import: all rows, or with ``skip_invalid`` the valid ones; any invalid
    row otherwise writes nothing (``ImportRejected``). Listings and the audit entry are
    written in one transaction.

    New listings come from the rows staged at preview, as the preview showed them;
    if the write path refuses them (a SKU given to a listing since), the rows are
    checked again and the refusal names each row. Updates are checked again here,
    against the listings as they are now.

    The commit holds a database lock from before it marks the import committing until
    after it marks the outcome, so ``imports_recover_stuck`` knows a committing import
    without a holder was left by a process that died.
    """
    lock = HeldLock(Namespace.IMPORT_COMMIT, upload.pk)
    if not lock.acquire():
        raise ImportNotCommittable("This import is being committed.")
    try:
        return _import_commit(upload=upload, actor=actor, skip_invalid=skip_invalid)
    finally:
        lock.release()


def _import_commit(*, upload: Import, actor: User, skip_invalid: bool) -> Import:
    claimed = Import.objects.filter(
        pk=upload.pk, status__in=(Import.Status.PREVIEW, Import.Status.FAILED, Import.Status.QUEUED)
    ).update(status=Import.Status.COMMITTING, skip_invalid=skip_invalid, progress=0, message="")
    if not claimed:
        upload.refresh_from_db()
        raise ImportNotCommittable(f"This import is {upload.get_status_display().lower()}.")
    report = partial(cache.set, progress_cache_key(upload.pk), timeout=3600)
    try:
        staged = upload.mode == Import.Mode.CREATE and bool(upload.staged)
        if staged:
            checked = Checked(
                counts=upload.counts,
                errors=[RowError(**error) for error in upload.errors],
                preview=upload.preview,
                creates=staged_rows(upload.staged),
            )
        else:
            checked = check_import(upload, keep_rows=True, on_progress=report)
        if checked.counts["invalid"] and not skip_invalid:
            raise ImportRejected(_invalid_message(checked.counts), checked.errors)
        try:
            _write(upload=upload, actor=actor, checked=checked, skip_invalid=skip_invalid, on_progress=report)
        except InvalidInput as exc:
            rejected = staged and _changed_since_preview(upload, invalid_before=checked.counts["invalid"])
            if not rejected:
                raise
            raise rejected from exc
    except (ImportRejected, FileRejected, InvalidInput) as exc:
        rejected = (
            exc
            if isinstance(exc, ImportRejected)
            else ImportRejected(str(getattr(exc, "message", exc)), [RowError("", None, None, None, str(exc))])
        )
        Import.objects.filter(pk=upload.pk).update(
            status=Import.Status.FAILED,
            message=rejected.message,
            errors=[error.as_dict() for error in rejected.errors[: Import.ERRORS_KEPT]],
            updated_at=timezone.now(),
        )
        raise rejected from exc
    except Exception:
        Import.objects.filter(pk=upload.pk).update(
            status=Import.Status.FAILED, message="The import failed unexpectedly; nothing was written."
        )
        raise
    finally:
        cache.delete(progress_cache_key(upload.pk))
    upload.refresh_from_db()
    return upload


@transaction.atomic
def _write(*, upload: Import, actor: User, checked: Checked, skip_invalid: bool, on_progress) -> None:
    """One change through the engine: the new listings and the updated ones, each
    with its own audit entry, plus the import's summary entry in the same batch, so
    the whole import is one undo step and shows in each listing's history."""
    now = timezone.now()
    updates = checked.updates
    result = changes_apply(
        actor=actor,
        action="listing.import",
        create=new_listings(owner_id=upload.owner_id, rows=checked.creates, on_progress=on_progress),
        # Checked again under the lock: another edit may have landed since the preview.
        update=Listing.objects.filter(owner_id=upload.owner_id, pk__in=list(updates)),
        compute=lambda row: updates[row["id"]],
        lock=True,
    )
    created, updated = len(result.created), result.updated
    counts = {
        "rows": checked.counts["rows"],
        "created": created,
        "updated": updated,
        "unchanged": checked.counts[UNCHANGED] + checked.counts[UPDATED] - updated,
        "skipped": checked.counts["invalid"],
    }
    changes: dict[str, Any] = {
        "mode": upload.mode,
        "files": [f.original_name for f in upload.files.all()],
        "skip_invalid": skip_invalid,
        **counts,
    }
    if upload.template_id:
        changes["template"] = upload.template_id
    audit_record(actor=actor, action="listing.import", obj=upload, changes=changes, batch=result.batch)
    if upload.template is not None:
        template_use_record(
            template=upload.template,
            actor=actor,
            details={"import": upload.pk, "listings_created": created},
            batch=result.batch,
        )
    Import.objects.filter(pk=upload.pk).update(
        status=Import.Status.COMMITTED,
        counts={**checked.counts, **counts, NEW: checked.counts[NEW]},
        errors=[error.as_dict() for error in checked.errors[: Import.ERRORS_KEPT]],
        progress=checked.counts["rows"] - checked.counts["invalid"],
        batch=result.batch,
        committed_at=now,
        updated_at=now,
    )


STOPPED_WHILE_COMMITTING = (
    "The worker stopped while committing this import; nothing was written. Commit it again."
)


def imports_recover_stuck() -> int:
    """Imports left committing by a process that died (its transaction rolled back, so
    nothing was written) are marked failed with the reason; the seller can commit
    again. Returns how many."""
    recovered = 0
    for pk in Import.objects.filter(status=Import.Status.COMMITTING).values_list("pk", flat=True):
        if lock_held(Namespace.IMPORT_COMMIT, pk):
            continue
        with transaction.atomic():
            # Conditional: a commit that finished since the query has its outcome set.
            failed = Import.objects.filter(pk=pk, status=Import.Status.COMMITTING).update(
                status=Import.Status.FAILED, message=STOPPED_WHILE_COMMITTING, updated_at=timezone.now()
            )
            if failed:
                upload = Import.objects.get(pk=pk)
                audit_record(actor=None, action="import.recover", obj=upload, changes={"status": "failed"})
                recovered += 1
    return recovered


# The background commit of a large import, run by ``manage.py db_worker`` on any host.
@task()
def commit_import(*, import_id: int, actor_id: int, skip_invalid: bool) -> dict:
    imports_recover_stuck()  # whatever a worker that died before this one left behind
    upload = Import.objects.select_related("template").get(pk=import_id)
    actor = User.objects.get(pk=actor_id)
    try:
        upload = import_commit(upload=upload, actor=actor, skip_invalid=skip_invalid)
    except ImportRejected:
        # import_commit stored the failure and its errors on the import for the page.
        upload.refresh_from_db()
    return {"status": upload.status, "counts": upload.counts}
