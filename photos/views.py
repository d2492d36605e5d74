"""The photos' pages and files: each file served only to the listing's owner
(session or JWT), never from a public URL."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from marketplace.uploads import login_or_token_required, serve_upload
from photos import selectors

KINDS = ("original", "display", "thumbnail")


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
