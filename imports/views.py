"""The import pages: upload, preview with mapping correction, commit, progress, error report."""

import csv
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from imports.forms import (
    ImportCommitForm,
    ImportMappingForm,
    ImportModeForm,
    ImportRowFixForm,
    ImportUploadForm,
)
from imports.headers import TARGET_LABELS
from imports.models import Import, ImportFile
from imports.selectors import import_errors, import_get_for_user, import_progress, imports_for_user
from imports.services import (
    ImportNotCommittable,
    ImportRejected,
    import_change_mode,
    import_create,
    import_fix_row,
    import_remap,
    import_request_commit,
)
from listings.fields import STORED_FIELDS
from listings.services.undo import operation_undo_refusal
from marketplace.formulas import neutralise_formula
from marketplace.ratelimits import rate_limited
from marketplace.uploads import login_or_token_required, serve_upload

RECENT_IMPORTS = 20


def _upload_page(request, form, *, rejected: ImportRejected | None = None, status: int = 200) -> HttpResponse:
    context = {"form": form, "imports": imports_for_user(request.user)[:RECENT_IMPORTS], "rejected": rejected}
    return render(request, "imports/import.html", context, status=status)


@login_required
@rate_limited("uploads")
def import_upload(request):
    if request.method != "POST":
        return _upload_page(request, ImportUploadForm(user=request.user))
    form = ImportUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    data = form.cleaned_data
    try:
        upload = import_create(
            owner=request.user,
            files=data["file"],
            # No mode chosen: an export of the seller's own listings updates them.
            mode=data["mode"] or None,
            template=data["template"],
            sheet=data["sheet"] or None,
        )
    except ImportRejected as exc:
        return _upload_page(request, form, rejected=exc, status=400)
    return redirect("imports:detail", pk=upload.pk)


def _preview_fields(files: list[ImportFile], preview: list[dict]) -> list[str]:
    """The listing fields the preview shows: those a file's columns fill and those an
    error names, in the grid's order; the others keep their defaults and would only
    widen the table."""
    shown = {target for import_file in files for target in import_file.mapping}
    shown |= {error["field"] for line in preview for error in line["errors"]}
    return [name for name in STORED_FIELDS if name in shown]


def _preview_rows(upload: Import, fields: list[str]) -> list[dict]:
    """The preview's rows with, per column, what to show and whether the seller can
    correct it there (the fields an invalid row's errors name)."""
    rows = []
    for line in upload.preview:
        in_error = {error["field"] for error in line["errors"]}
        typed = line.get("typed", {})
        cells = []
        for name in fields:
            # An invalid row has no cleaned values: it shows what its cells say.
            value = line["values"].get(name) if line["status"] != "invalid" else typed.get(name)
            if name == "offer_shipping" and isinstance(value, bool):
                value = "Yes" if value else "No"
            fixable = line["status"] == "invalid" and name in in_error
            label = TARGET_LABELS[name]
            cell = {"field": name, "label": label, "value": value, "fixable": fixable}
            cells.append({**cell, "typed": typed.get(name, "")})
        rows.append({**line, "cells": cells, "fixable": any(cell["fixable"] for cell in cells)})
    return rows


def _detail_page(request, upload: Import, *, rejected=None, status: int = 200) -> HttpResponse:
    files = list(upload.files.all())
    progress_rows, progress_percent = import_progress(upload)
    preview_fields = _preview_fields(files, upload.preview)
    context = {
        "progress_rows": progress_rows,
        "several_files": len(files) > 1,
        "progress_percent": progress_percent,
        "upload": upload,
        "mapping_forms": [ImportMappingForm(import_file=f, prefix=f"file{f.pk}") for f in files],
        "commit_form": ImportCommitForm(initial={"skip_invalid": upload.skip_invalid}),
        "preview_columns": [TARGET_LABELS[name] for name in preview_fields],
        "preview_rows": _preview_rows(upload, preview_fields),
        "valid_rows": (upload.counts.get("rows") or 0) - (upload.counts.get("invalid") or 0),
        "has_id_column": any("id" in f.mapping for f in files),
        "rejected": rejected,
        "running": upload.status in (Import.Status.QUEUED, Import.Status.COMMITTING),
        **_undo_context(request, upload),
    }
    if request.htmx and request.GET.get("part") == "progress":
        response = render(request, "imports/import_detail.html#progress", context, status=status)
        if not context["running"]:
            # Finished: reload the whole page for the final counts and errors.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/import_detail.html", context, status=status)


def _undo_context(request, upload: Import) -> dict:
    """Whether the page offers "Undo this import", and why it cannot when it cannot."""
    if upload.status != Import.Status.COMMITTED or upload.batch is None or upload.undone:
        return {"undo_offered": False}
    return {
        "undo_offered": True,
        "undo_refusal": operation_undo_refusal(user=request.user, batch=upload.batch),
    }


@login_required
@require_GET
def import_detail(request, pk: int):
    return _detail_page(request, import_get_for_user(request.user, pk))


@login_required
@require_POST
def import_mapping(request, pk: int, file_pk: int):
    upload = import_get_for_user(request.user, pk)
    import_file = get_object_or_404(upload.files, pk=file_pk)
    form = ImportMappingForm(request.POST, import_file=import_file, prefix=f"file{import_file.pk}")
    if not form.is_valid():
        return _detail_page(request, upload, status=400)
    sheet = form.cleaned_data["sheet"]
    if sheet != import_file.sheet:
        return _preview_change(request, upload, partial(import_remap, import_file=import_file, sheet=sheet))
    return _preview_change(
        request, upload, partial(import_remap, import_file=import_file, mapping=form.mapping())
    )


def _preview_change(request, upload: Import, change) -> HttpResponse:
    """Apply ``change(upload=...)`` to a preview (mapping, sheet, mode) and show the
    import again; a file the change makes unreadable is shown on the page."""
    try:
        change(upload=upload)
    except ImportRejected as exc:
        return _detail_page(request, upload, rejected=exc, status=400)
    except ImportNotCommittable as exc:
        messages.error(request, str(exc))
    return redirect("imports:detail", pk=upload.pk)


@login_required
@require_POST
def import_fix(request, pk: int):
    """Save the cells of one row corrected in the preview, then check the import again."""
    upload = import_get_for_user(request.user, pk)
    form = ImportRowFixForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, upload, status=400)
    import_file = get_object_or_404(upload.files, position=form.cleaned_data["file"])
    row = form.cleaned_data["row"]
    try:
        upload = import_fix_row(upload=upload, import_file=import_file, row=row, values=form.values())
    except ImportRejected as exc:
        return _detail_page(request, upload, rejected=exc, status=400)
    except ImportNotCommittable as exc:
        messages.error(request, str(exc))
        return redirect("imports:detail", pk=upload.pk)
    still_invalid = any(
        (line["row"], line.get("file_position"), line["status"]) == (row, import_file.position, "invalid")
        for line in upload.preview
    )
    if still_invalid:
        messages.error(request, f"Row {row} still needs fixing: see its messages.")
    else:
        messages.success(request, f"Row {row} fixed.")
    return redirect(f"{reverse('imports:detail', args=[upload.pk])}#row-{import_file.position}-{row}")


@login_required
@require_POST
def import_mode(request, pk: int):
    upload = import_get_for_user(request.user, pk)
    form = ImportModeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, upload, status=400)
    return _preview_change(request, upload, partial(import_change_mode, mode=form.cleaned_data["mode"]))


@login_required
@require_POST
def import_commit(request, pk: int):
    upload = import_get_for_user(request.user, pk)
    form = ImportCommitForm(request.POST)
    form.is_valid()
    try:
        upload = import_request_commit(
            upload=upload, actor=request.user, skip_invalid=form.cleaned_data.get("skip_invalid", False)
        )
    except ImportRejected as exc:
        upload.refresh_from_db()
        return _detail_page(request, upload, rejected=exc, status=400)
    except ImportNotCommittable as exc:
        messages.error(request, str(exc))
    return redirect("imports:detail", pk=upload.pk)


def _csv_safe(value) -> str:
    # A report opened in Excel must not run formulas that came from an uploaded header;
    # the same rule as every export.
    return neutralise_formula("" if value is None else str(value))


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def import_error_report(request, pk: int):
    upload = import_get_for_user(request.user, pk)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["file", "row", "column", "field", "message"])
        for error in import_errors(upload):
            yield writer.writerow(
                [
                    _csv_safe(error.file),
                    error.row or "",
                    _csv_safe(error.column),
                    error.field or "",
                    _csv_safe(error.message),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{upload.pk}-errors.csv"'
    return response


@login_or_token_required
@require_GET
def import_file_download(request, pk: int, file_pk: int):
    """The file as it was uploaded, to its owner only (staged rows are never served)."""
    import_file = get_object_or_404(import_get_for_user(request.user, pk).files, pk=file_pk)
    return serve_upload(
        import_file.file, filename=import_file.original_name, content_type="application/octet-stream"
    )
