"""The photos' pages: the grid's photo column and drawer (upload by drag and drop,
reorder, delete), and each file, served only to the listing's owner (session or
JWT), never from a public URL."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from listings.selectors import listing_get_for_user
from marketplace.errors import InvalidInput
from marketplace.uploads import login_or_token_required, serve_upload
from photos import selectors, services
from photos.models import MAX_PHOTOS_PER_LISTING
from photos.serializers import PhotoOrderSerializer, PhotoUploadSerializer, valid_input

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
