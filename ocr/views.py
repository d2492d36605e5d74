"""The OCR pages: upload and list scans, review one (progress, page images with
the recognised words, candidates edited cell by cell), convert, re-run, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from listing_templates.selectors import templates_visible_to
from marketplace.errors import InvalidInput
from marketplace.html_errors import error_text, message_errors
from marketplace.ratelimits import rate_limited
from marketplace.uploads import login_or_token_required, serve_upload
from ocr import engines, selectors, services
from ocr.forms import ConvertForm
from ocr.models import CANDIDATE_FIELDS
from ocr.pages import content_type_of
from ocr.parsing import LOW_CONFIDENCE
from ocr.serializers import ScanUploadSerializer


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("uploads")
def scans(request):
    """The upload form and the seller's scans. The upload is read by the serializer
    the API uses, so both doors take and refuse the same input."""
    errors: dict[str, list[str]] = {}
    chosen = request.POST.get("engine", engines.TESSERACT)
    if request.method == "POST":
        upload = ScanUploadSerializer(data={**request.POST.dict(), **request.FILES.dict()})
        if upload.is_valid():
            data = upload.validated_data
            try:
                scan = services.scan_create(owner=request.user, upload=data["file"], engine=data["engine"])
            except InvalidInput as exc:
                for error in exc.errors:
                    errors.setdefault(error.field or "file", []).append(error.message)
            else:
                return redirect("ocr:review", scan_id=scan.pk)
        else:
            errors = {
                name: [str(message) for message in messages] for name, messages in upload.errors.items()
            }
    context = {
        "errors": errors,
        "engines": engines.CHOICES,
        "chosen_engine": chosen,
        "scans": selectors.scans_for_user(request.user),
    }
    return render(request, "ocr/scans.html", context, status=400 if errors else 200)


def _review_context(request, scan_id: int) -> dict:
    scan = selectors.scan_detail_for_user(request.user, scan_id)
    return {
        "scan": scan,
        "low_confidence": LOW_CONFIDENCE,
        "convert_form": ConvertForm(templates=templates_visible_to(request.user)),
    }


@login_required
def review(request, scan_id: int):
    return render(request, "ocr/review.html", _review_context(request, scan_id))


@login_required
def progress(request, scan_id: int):
    scan = selectors.scan_get_for_user(request.user, scan_id)
    response = render(request, "ocr/review.html#progress", {"scan": scan})
    if not scan.is_running:
        # Finished: reload once to show the pages and candidates.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def candidate_cell(request, scan_id: int, candidate_id: int, field: str):
    """A candidate's cell: shown, opened for editing (GET ?edit=1), saved (POST)."""
    if field not in (*CANDIDATE_FIELDS, "selected"):
        return HttpResponse("Unknown field.", status=404)
    candidate = selectors.candidate_get_for_user(request.user, scan_id, candidate_id)
    context = {"candidate": candidate, "field": field, "error": None}
    if request.method == "POST":
        value = request.POST.get("value", "") if field != "selected" else "selected" in request.POST
        try:
            candidate = services.candidate_update(
                candidate=candidate, data={field: value}, actor=request.user
            )
        except InvalidInput as exc:
            context.update(error=error_text(exc), value=value)
            return render(request, "ocr/review.html#cell-edit", context, status=422)
        context["candidate"] = candidate
        return render(request, "ocr/review.html#cell", context)
    partial = "cell-edit" if request.GET.get("edit") else "cell"
    context["value"] = (
        getattr(candidate, field) if field != "price" or candidate.price is None else candidate.price
    )
    return render(request, f"ocr/review.html#{partial}", context)


@login_required
@require_POST
def convert(request, scan_id: int):
    scan = selectors.scan_get_for_user(request.user, scan_id)
    form = ConvertForm(request.POST, templates=templates_visible_to(request.user))
    if not form.is_valid():
        messages.error(request, "Choose a template you can use.")
        return redirect("ocr:review", scan_id=scan.pk)
    try:
        # The ticked candidates: the service's default, as for the API.
        template = form.cleaned_data["template"]
        listings = services.scan_convert(scan=scan, actor=request.user, template=template)
    except InvalidInput as exc:
        message_errors(request, exc, prefix="Not converted: ")
    else:
        messages.success(request, f"Created {len(listings)} draft listings from this scan.")
    return redirect("ocr:review", scan_id=scan.pk)


@login_required
@require_POST
def page_rerun(request, scan_id: int, number: int):
    page = selectors.page_get_for_user(request.user, scan_id, number)
    try:
        services.page_rerun(page=page, actor=request.user)
    except InvalidInput as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Reading page {number} again.")
    return redirect("ocr:review", scan_id=scan_id)


@login_required
@require_POST
def delete(request, scan_id: int):
    scan = selectors.scan_get_for_user(request.user, scan_id)
    services.scan_delete(scan=scan, actor=request.user)
    messages.success(request, f"Deleted {scan.original_name}.")
    return redirect("ocr:scans")


@login_or_token_required
@require_GET
def scan_file(request, scan_id: int):
    """The uploaded PDF or image, as an attachment, to its owner only."""
    scan = selectors.scan_get_for_user(request.user, scan_id)
    return serve_upload(scan.file, filename=scan.original_name, content_type=content_type_of(scan.file.name))


@login_or_token_required
@require_GET
def page_image(request, scan_id: int, number: int):
    """A page as the PNG we drew from it (never the uploaded bytes), shown in the review."""
    page = selectors.page_get_for_user(request.user, scan_id, number)
    if not page.thumbnail:
        raise Http404("This page has no image.")
    return serve_upload(
        page.thumbnail, filename=f"scan-{scan_id}-page-{number}.png", content_type="image/png", inline=True
    )
