"""The photos' pages: the grid's photo column and drawer (upload by drag and drop,
reorder, delete), and each file, served only to the listing's owner (session or
JWT), never from a public URL."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from listings.selectors import listing_get_for_user
from marketplace.api_input import valid_input
from marketplace.errors import InvalidInput
from marketplace.ratelimits import rate_limited
from marketplace.uploads import login_or_token_required, serve_upload
from photos import links, selectors, services
from photos.models import MAX_PHOTOS_PER_LISTING, PhotoBulkFile
from photos.serializers import (
    BulkAttachSerializer,
    BulkUploadSerializer,
    PhotoLinksActionSerializer,
    PhotoOrderSerializer,
    PhotoUploadSerializer,
)

KINDS = ("original", "display", "thumbnail")
DRAWER = "photos/drawer.html"


@require_GET
@login_or_token_required
def photo_file(request, pk: int, photo_id: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such size.")
    photo = selectors.photo_get_for_user(request.user, pk, photo_id)
    if not photo.is_ready:
        raise Http404("The photo is still being prepared.")
    stem = photo.original_name.rsplit(".", 1)[0] or "photo"
    if kind == "original":
        extension = photo.file.name.rsplit(".", 1)[-1]
        return serve_upload(
            photo.file, filename=f"{stem}.{extension}", content_type=photo.content_type, inline=True
        )
    return serve_upload(
        getattr(photo, kind), filename=f"{stem}-{kind}.jpg", content_type="image/jpeg", inline=True
    )


def _messages(exc: InvalidInput) -> str:
    # Each message names the file it is about.
    return " ".join(error.message for error in exc.errors)


def _drawer(request, listing, *, error: str = "", changed: bool = False) -> HttpResponse:
    photos = list(selectors.photos_of_listing(listing))
    context = {
        "listing": listing,
        "photos": photos,
        "most": MAX_PHOTOS_PER_LISTING,
        "preparing": any(photo.status == photo.Status.PROCESSING for photo in photos),
        "error": error,
    }
    response = render(request, f"{DRAWER}#drawer", context, status=422 if error else 200)
    # The row's photo column follows (also once the worker has drawn a photo), and
    # after a change the undo buttons too.
    events = {f"photos-changed-{listing.pk}": True, **({"undo-changed": True} if changed else {})}
    response["HX-Trigger"] = json.dumps(events)
    return response


@login_required
@require_GET
def drawer(request, pk: int) -> HttpResponse:
    return _drawer(request, listing_get_for_user(request.user, pk))


@login_required
@require_POST
def drawer_upload(request, pk: int) -> HttpResponse:
    listing = listing_get_for_user(request.user, pk)
    try:
        files = valid_input(PhotoUploadSerializer, {"file": request.FILES.getlist("file")})["file"]
        services.photos_add(listing=listing, uploads=files, actor=request.user)
    except InvalidInput as exc:
        return _drawer(request, listing, error=_messages(exc))
    return _drawer(request, listing, changed=True)


@login_required
@require_POST
def drawer_order(request, pk: int) -> HttpResponse:
    listing = listing_get_for_user(request.user, pk)
    try:
        order = valid_input(PhotoOrderSerializer, {"order": request.POST.getlist("order")})["order"]
        services.photos_reorder(listing=listing, order=order, actor=request.user)
    except InvalidInput as exc:
        return _drawer(request, listing, error=_messages(exc))
    return _drawer(request, listing, changed=True)


@login_required
@require_POST
def drawer_delete(request, pk: int, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get_for_user(request.user, pk, photo_id)
    services.photo_delete(photo=photo, actor=request.user)
    return _drawer(request, photo.listing, changed=True)


@login_required
@require_GET
def cell(request, pk: int) -> HttpResponse:
    """The grid's photo column of one row, after its photos changed."""
    listing = listing_get_for_user(request.user, pk)
    summary = selectors.photo_summaries(request.user, [listing.pk])[listing.pk]
    return render(request, "photos/_cell.html", {"listing_id": listing.pk, "summary": summary})


# --- bulk photos ------------------------------------------------------------------


@login_required
@rate_limited("uploads")
def bulk_upload(request) -> HttpResponse:
    """Upload a zip of photos (or many photos) to match to listings by name."""
    error = ""
    if request.method == "POST":
        try:
            files = valid_input(BulkUploadSerializer, {"files": request.FILES.getlist("files")})["files"]
            upload = services.photo_bulk_create(owner=request.user, uploads=files)
        except InvalidInput as exc:
            error = _messages(exc)
        else:
            return redirect("photos:bulk_preview_page", bulk_id=upload.pk)
    context = {"error": error, "most_files": settings.PHOTO_BULK_MAX_FILES}
    return render(request, "photos/bulk.html", context, status=400 if error else 200)


def _bulk_context(request, bulk_id: int, error: str = "") -> dict:
    upload = selectors.photo_bulk_get_for_user(request.user, bulk_id)
    titles = selectors.bulk_listing_titles(request.user, upload)
    groups = {match: [] for match in PhotoBulkFile.Match.values}
    for row in upload.files.all():
        # What the preview shows of the listings a file points at.
        row.listing_title = titles.get(row.listing_id, "")
        row.options = [
            (
                option["listing"],
                option["number"],
                titles.get(option["listing"], f"Listing {option['listing']}"),
            )
            for option in row.candidates
        ]
        groups[row.match].append(row)
    return {
        "bulk": upload,
        "matched": groups[PhotoBulkFile.Match.MATCHED],
        "ambiguous": groups[PhotoBulkFile.Match.AMBIGUOUS],
        "unmatched": groups[PhotoBulkFile.Match.UNMATCHED],
        "error": error,
    }


@login_required
@require_GET
def bulk_preview_page(request, bulk_id: int) -> HttpResponse:
    return render(request, "photos/bulk_preview.html", _bulk_context(request, bulk_id))


@login_required
@require_POST
def bulk_attach(request, bulk_id: int) -> HttpResponse:
    upload = selectors.photo_bulk_get_for_user(request.user, bulk_id)
    choices = [
        {"file": name.removeprefix("choice_"), "listing": value}
        for name, value in request.POST.items()
        if name.startswith("choice_") and value
    ]
    try:
        body = valid_input(BulkAttachSerializer, {"choices": choices})
        photos = services.photo_bulk_attach(
            upload=upload,
            actor=request.user,
            choices={choice["file"]: choice["listing"] for choice in body.get("choices", [])},
        )
    except InvalidInput as exc:
        return render(
            request, "photos/bulk_preview.html", _bulk_context(request, bulk_id, _messages(exc)), status=400
        )
    listings = len({photo.listing_id for photo in photos})
    messages.success(
        request, f"Attached {len(photos)} photos to {listings} listings. Undo takes them off again."
    )
    return redirect("listings:grid")


@login_required
@require_POST
def bulk_discard(request, bulk_id: int) -> HttpResponse:
    services.photo_bulk_discard(
        upload=selectors.photo_bulk_get_for_user(request.user, bulk_id), actor=request.user
    )
    return redirect("photos:bulk")


@require_GET
@login_or_token_required
def bulk_preview(request, bulk_id: int, file_id: int) -> HttpResponse:
    row = selectors.bulk_file_get_for_user(request.user, bulk_id, file_id)
    if not row.preview:
        raise Http404("This file has no preview.")
    stem = row.name.rsplit(".", 1)[0] or "photo"
    return serve_upload(row.preview, filename=f"{stem}-preview.jpg", content_type="image/jpeg", inline=True)


# A marketplace re-fetches a photo now and then; a revoked link may live this long in
# a cache that already holds it.
PHOTO_LINK_MAX_AGE = 3600


@require_GET
def photo_link(request, photo_id: int, token: str) -> HttpResponse:
    """A published photo link: that one photo's display size, without logging in,
    cacheable; any other link (wrong, revoked, unpublished, a hidden photo) is the
    same 404."""
    photo = links.photo_for_link(photo_id, token)
    if photo is None:
        raise Http404("No such photo.")
    response = serve_upload(
        photo.display, filename=f"photo-{photo.pk}.jpg", content_type="image/jpeg", inline=True
    )
    response["Cache-Control"] = f"public, max-age={PHOTO_LINK_MAX_AGE}"
    response["ETag"] = f'"{photo.pk}-{token[:12]}"'
    return response


_LINK_MESSAGES = {
    "publish": "Photo links published.",
    "revoke": "All photo links revoked; your photos have new ones.",
    "unpublish": "Photo links no longer published.",
}


@login_required
@require_http_methods(["GET", "POST"])
def links_page(request) -> HttpResponse:
    """Publish, revoke (rotate) or unpublish the seller's photo links."""
    if request.method == "POST":
        form = PhotoLinksActionSerializer(data=request.POST)
        if not form.is_valid():
            return HttpResponse("Choose publish, revoke or unpublish.", status=400, content_type="text/plain")
        action = form.validated_data["action"]
        services.PHOTO_LINK_WRITES[action](owner=request.user)
        messages.success(request, _LINK_MESSAGES[action])
        return redirect("photos:links")
    return render(request, "photos/links.html", {"published": links.link_key_object(request.user)})
