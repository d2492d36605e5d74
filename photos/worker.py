"""The background worker's side of photos: drawing the safe original, the display
size and the thumbnail of an upload, and storing them, and keeping each photo's
published-link token. ``process_photo`` and ``refresh_photo_link_tokens`` are the
tasks, queued by ``photos.services`` in the transaction that stores the upload,
publishes or revokes the links, or copies a listing's photos."""

import io
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django_tasks import task

from audit.services import audit_record_many, new_batch
from marketplace.sqlsettings import local_settings
from photos import images
from photos.links import link_pad_settings, link_token_stamp, photo_token_sql
from photos.models import ListingPhoto, PhotoLinkKey


def photo_process(*, photo_id: int) -> str:
    """Draw one photo's files. Returns what happened, for the task's result."""
    photo = ListingPhoto.objects.filter(pk=photo_id).first()
    if photo is None or photo.status != ListingPhoto.Status.PROCESSING:
        return "skipped"
    try:
        # Read whole (at most PHOTO_MAX_BYTES): any storage's file, seekable for Pillow.
        with photo.file.open("rb") as upload:
            data = io.BytesIO(upload.read())
        drawn = images.photo_draw(data)
    except images.PhotoRejected as exc:
        photo_fail(photo_id=photo_id, reason=str(exc))
        return "failed"
    photo_store_drawn(photo_id=photo_id, drawn=drawn)
    return "ready"


@task()
def process_photo(photo_id: int) -> str:
    return photo_process(photo_id=photo_id)


@transaction.atomic
def photo_store_drawn(*, photo_id: int, drawn: images.DrawnPhoto) -> None:
    """Keep what the worker drew, for the photo and every copy sharing its upload
    (a listing duplicated before the worker got to it), then drop the upload."""
    photo = ListingPhoto.objects.select_for_update().filter(pk=photo_id).first()
    if photo is None or photo.status != ListingPhoto.Status.PROCESSING:
        return
    upload = photo.file.name
    stem = upload.rsplit("-", 1)[0]
    original = default_storage.save(f"{stem}-original.{drawn.extension}", ContentFile(drawn.original))
    display = default_storage.save(f"{stem}-display.jpg", ContentFile(drawn.display))
    thumbnail = default_storage.save(f"{stem}-thumbnail.jpg", ContentFile(drawn.thumbnail))
    sharing = ListingPhoto.objects.filter(owner_id=photo.owner_id, file=upload)
    sharing_ids = list(sharing.values_list("pk", flat=True))
    sharing.update(
        file=original,
        display=display,
        thumbnail=thumbnail,
        content_type=drawn.content_type,
        size=len(drawn.original),
        width=drawn.width,
        height=drawn.height,
        status=ListingPhoto.Status.READY,
        error="",
    )
    _audit_processed(sharing_ids, {"status": [photo.status, ListingPhoto.Status.READY]})
    photo_link_tokens_refresh(owner_id=photo.owner_id, photo_ids=sharing_ids)
    transaction.on_commit(lambda: delete_stored([upload]))


@transaction.atomic
def photo_fail(*, photo_id: int, reason: str) -> None:
    """The worker could not draw the photo: it stays, failed, with the reason."""
    photo = ListingPhoto.objects.select_for_update().filter(pk=photo_id).first()
    if photo is None or photo.status != ListingPhoto.Status.PROCESSING:
        return
    sharing = ListingPhoto.objects.filter(owner_id=photo.owner_id, file=photo.file.name)
    sharing_ids = list(sharing.values_list("pk", flat=True))
    sharing.update(status=ListingPhoto.Status.FAILED, error=reason[:300])
    _audit_processed(
        sharing_ids, {"status": [photo.status, ListingPhoto.Status.FAILED], "error": [None, reason]}
    )


def _audit_processed(photo_ids: Sequence[int], changes: Mapping[str, Any]) -> None:
    audit_record_many(
        actor=None,
        action="photo.process",
        object_type=ListingPhoto._meta.label_lower,
        changes_by_id=((pk, changes) for pk in photo_ids),
        batch=new_batch(),
    )


def delete_stored(names: Sequence[str]) -> None:
    """Delete stored files (after the transaction that dropped their rows commits)."""
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def photo_link_tokens_refresh(*, owner_id: int, photo_ids: Sequence[int] | None = None) -> int:
    """Keep the published-link token on each ready photo of ``owner_id`` (of
    ``photo_ids`` only, when given) that has none made under the current key and
    secret, in one statement; the number of photos given one.

    Not audited: a kept token is a copy of what ``photos.links`` signs, derived from
    the audited key, made again whenever it is missing or stale, and never what lets
    a link in. PostgreSQL only, as only its exports read them (elsewhere every link
    is signed as it is written)."""
    if connection.vendor != "postgresql":
        return 0
    # Locked, so a revoke waits for this statement and its own refresh comes after:
    # a token made under the old key cannot land once the new one's are kept.
    key = (
        PhotoLinkKey.objects.select_for_update()
        .filter(owner_id=owner_id)
        .values_list("key", flat=True)
        .first()
    )
    if key is None:
        return 0
    stamp = link_token_stamp(key)
    stale = ListingPhoto.objects.filter(owner_id=owner_id, status=ListingPhoto.Status.READY).exclude(
        link_token_stamp=stamp
    )
    if photo_ids is not None:
        stale = stale.filter(pk__in=photo_ids)
    with local_settings(link_pad_settings()):
        return stale.update(link_token=photo_token_sql(key, F("id")), link_token_stamp=stamp)


@task()
def refresh_photo_link_tokens(owner_id: int) -> int:
    return photo_link_tokens_refresh(owner_id=owner_id)
