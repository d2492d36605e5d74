"""The writes of listing photos: upload (one listing's or many listings' at once),
delete, reorder, the copies a duplicate gets, the undo and redo of these steps, and
the purge of photos nothing can bring back. Each is one transaction behind the
user's write lock, audited in it, and each user action is one undo step."""

import io
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django_tasks import task

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record, audit_record_many, new_batch
from listings.concurrency import listing_for_update, serialised_per_user
from listings.models import Listing, UndoStep
from listings.services.changes import CHUNK, LISTING_TYPE, record_undo_step
from listings.services.undo import NotUndoable
from marketplace.errors import FieldError, InvalidInput
from photos import bulk, images
from photos.links import new_link_key
from photos.models import MAX_PHOTOS_PER_LISTING, ListingPhoto, PhotoBulk, PhotoBulkFile, PhotoLinkKey
from photos.worker import delete_stored, process_photo, refresh_photo_link_tokens

PHOTO_TYPE = ListingPhoto._meta.label_lower
# The state undo and redo put back: whether the photo is shown, and where.
SHOWN = "shown"
POSITION = "position"


def upload_name(upload: UploadedFile) -> str:
    """The uploaded file's own name without any folders: shown, never a path."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:255] or "photo"


def photo_check(upload: UploadedFile, *, field: str = "file", index: int | None = None) -> images.PhotoInfo:
    """The upload's kind, or ``InvalidInput`` naming ``field`` (and ``index``)."""
    limit = settings.PHOTO_MAX_BYTES
    name = upload_name(upload)
    if not upload.size:
        raise InvalidInput.one(field, f"{name}: the file is empty.", index)
    if upload.size > limit:
        raise InvalidInput.one(
            field, f"{name} is {upload.size / 1e6:.1f} MB; the most is {limit / 1e6:.0f} MB.", index
        )
    try:
        return images.photo_inspect(upload)
    except images.PhotoRejected as exc:
        raise InvalidInput.one(field, f"{name}: {exc}", index) from exc


def shown_photos(listing_id: int):
    return ListingPhoto.objects.filter(listing_id=listing_id, removed_batch__isnull=True)


@dataclass(frozen=True)
class PhotoUpload:
    """One file for one listing (a bulk attach names many)."""

    listing: Listing
    upload: UploadedFile


def _queue_processing(photo_ids: Sequence[int]) -> None:
    for pk in photo_ids:
        process_photo.enqueue(pk)


def _room(listing_id: int, adding: int) -> tuple[int, FieldError | None]:
    """The next free position of the (locked) listing, and an error if ``adding``
    more photos would pass the limit."""
    listing_for_update(listing_id)  # a listing deleted meanwhile is ListingGone, a 404
    shown = shown_photos(listing_id)
    have = shown.count()
    last = shown.aggregate(last=Max("position"))["last"]
    error = None
    if have + adding > MAX_PHOTOS_PER_LISTING:
        left = MAX_PHOTOS_PER_LISTING - have
        error = FieldError(
            "file",
            f"Listing {listing_id} has {have} photos and a listing has at most {MAX_PHOTOS_PER_LISTING}: "
            f"{left} more can be added, not {adding}.",
        )
    return (-1 if last is None else last) + 1, error


def _add(*, uploads: Sequence[PhotoUpload], actor: User, action: str) -> list[ListingPhoto]:
    """Check every file first (all are taken or none), then store them in order,
    audit them under one batch and record it as one undo step."""
    errors: list[FieldError] = []
    infos: list[images.PhotoInfo] = []
    for index, item in enumerate(uploads):
        try:
            infos.append(photo_check(item.upload, index=index if len(uploads) > 1 else None))
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    counts: dict[int, int] = defaultdict(int)
    for item in uploads:
        counts[item.listing.pk] += 1
    next_position: dict[int, int] = {}
    for listing_id in sorted(counts):
        next_position[listing_id], error = _room(listing_id, counts[listing_id])
        if error:
            errors.append(error)
    if errors:
        raise InvalidInput(errors)
    photos = []
    for item, info in zip(uploads, infos, strict=True):
        listing_id = item.listing.pk
        photo = ListingPhoto(
            owner_id=item.listing.owner_id,
            listing_id=listing_id,
            position=next_position[listing_id],
            original_name=upload_name(item.upload),
            content_type=info.content_type,
            size=item.upload.size,
            width=info.width,
            height=info.height,
        )
        next_position[listing_id] += 1
        photo.file.save(f"upload.{info.extension}", item.upload, save=False)
        photo.save()
        photos.append(photo)
    batch = new_batch()
    audit_record_many(
        actor=actor,
        action=action,
        object_type=PHOTO_TYPE,
        changes_by_id=(
            (
                photo.pk,
                {
                    "listing": [None, photo.listing_id],
                    "file": [None, photo.original_name],
                    SHOWN: [False, True],
                    POSITION: [None, photo.position],
                },
            )
            for photo in photos
        ),
        batch=batch,
    )
    record_undo_step(user=actor, batch=batch, action=action)
    _queue_processing([photo.pk for photo in photos])
    return photos


@transaction.atomic
@serialised_per_user
def photos_add(*, listing: Listing, uploads: Sequence[UploadedFile], actor: User) -> list[ListingPhoto]:
    """Add photos to the end of one listing's, as one undo step. Each file is checked
    by its content (JPEG, PNG, WebP, HEIC), its bytes and its pixels; the worker then
    makes it safe and draws its sizes."""
    if not uploads:
        raise InvalidInput.one("file", "Choose a photo to upload.")
    return _add(
        uploads=[PhotoUpload(listing, upload) for upload in uploads], actor=actor, action="photo.upload"
    )


@transaction.atomic
@serialised_per_user
def photos_attach(*, uploads: Sequence[PhotoUpload], actor: User) -> list[ListingPhoto]:
    """Add photos to many listings (a bulk upload matched by name) as one undo step."""
    if not uploads:
        raise InvalidInput.one("files", "No photo was matched to a listing.")
    return _add(uploads=uploads, actor=actor, action="photo.attach")


@transaction.atomic
@serialised_per_user
def photo_delete(*, photo: ListingPhoto, actor: User) -> None:
    """Hide the photo as one undo step; its files stay until the step is forgotten."""
    listing_for_update(photo.listing_id)
    locked = ListingPhoto.objects.select_for_update().get(pk=photo.pk)
    if locked.removed_batch is not None:
        return
    batch = new_batch()
    locked.removed_batch = batch
    locked.save(update_fields=["removed_batch"])
    audit_record_many(
        actor=actor,
        action="photo.delete",
        object_type=PHOTO_TYPE,
        changes_by_id=[(locked.pk, {SHOWN: [True, False]})],
        batch=batch,
    )
    record_undo_step(user=actor, batch=batch, action="photo.delete")
    purge_after_commit(locked.owner_id)


@transaction.atomic
@serialised_per_user
def photos_reorder(*, listing: Listing, order: Sequence[int], actor: User) -> list[ListingPhoto]:
    """Put the listing's photos in ``order`` (every shown photo's id, once each), as
    one undo step. Returns them in their new order."""
    listing_for_update(listing.pk)
    photos = {photo.pk: photo for photo in shown_photos(listing.pk).select_for_update()}
    wanted = list(order)
    if len(set(wanted)) != len(wanted) or set(wanted) != set(photos):
        raise InvalidInput.one(
            "order",
            "Send the ids of all of this listing's photos, each once: "
            f"{', '.join(str(pk) for pk in sorted(photos)) or 'it has none'}.",
        )
    changes = []
    for position, pk in enumerate(wanted):
        photo = photos[pk]
        if photo.position != position:
            changes.append((pk, {POSITION: [photo.position, position]}))
            photo.position = position
    if changes:
        ListingPhoto.objects.bulk_update([photos[pk] for pk, _ in changes], ["position"])
        batch = new_batch()
        audit_record_many(
            actor=actor, action="photo.reorder", object_type=PHOTO_TYPE, changes_by_id=changes, batch=batch
        )
        record_undo_step(user=actor, batch=batch, action="photo.reorder")
    return [photos[pk] for pk in wanted]


def photos_copy(*, copied_from: Mapping[int, int], actor: User | None) -> int:
    """Give each new listing ({new id: source id}) the shown photos of its source,
    sharing their stored files. Called inside the duplicate's transaction; the copies
    need no undo of their own: undoing the duplicate deletes their listings, which
    hides them, and redo re-creates the listings under the same ids."""
    sources = defaultdict(list)
    source_ids = sorted(set(copied_from.values()))
    for start in range(0, len(source_ids), CHUNK):
        shown = ListingPhoto.objects.filter(
            listing_id__in=source_ids[start : start + CHUNK], removed_batch__isnull=True
        )
        for photo in shown.order_by("position", "id"):
            sources[photo.listing_id].append(photo)
    copies = [
        ListingPhoto(
            owner_id=photo.owner_id,
            listing_id=new_id,
            position=photo.position,
            file=photo.file.name,
            thumbnail=photo.thumbnail.name,
            display=photo.display.name,
            original_name=photo.original_name,
            content_type=photo.content_type,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            status=photo.status,
            error=photo.error,
        )
        for new_id, source_id in copied_from.items()
        for photo in sources.get(source_id, [])
    ]
    if not copies:
        return 0
    ListingPhoto.objects.bulk_create(copies, batch_size=1000)
    owner_id = copies[0].owner_id
    if PhotoLinkKey.objects.filter(owner_id=owner_id).exists():
        # The copies' links are signed as they are exported until the worker keeps theirs.
        refresh_photo_link_tokens.enqueue(owner_id)
    audit_record_many(
        actor=actor,
        action="photo.copy",
        object_type=PHOTO_TYPE,
        changes_by_id=(
            (copy.pk, {"listing": [None, copy.listing_id], "file": [None, copy.original_name]})
            for copy in copies
        ),
        # Its own batch: the duplicate's history line counts listings, not photos.
        batch=new_batch(),
    )
    return len(copies)


# --- bulk photos: a zip or many files, matched to listings by name -----------------


def _stored(owner_id: int, suffix: str, data: bytes) -> str:
    return default_storage.save(f"photos/{owner_id}/bulk-{uuid.uuid4().hex}{suffix}", ContentFile(data))


def _bulk_file(upload: PhotoBulk, item: bulk.BulkItem, match: bulk.NameMatch) -> PhotoBulkFile:
    """One file of a bulk upload: checked like any photo, stored with a preview,
    and matched (or not, with the reason)."""
    numbers = list(match.numbers.values())
    row = PhotoBulkFile(
        bulk=upload, name=item.name[:255], number=numbers[0] if numbers else 1, reason=item.reason
    )
    if not row.reason:
        try:
            info = images.photo_inspect(io.BytesIO(item.data))
            preview = images.photo_preview(io.BytesIO(item.data))
        except images.PhotoRejected as exc:
            row.reason = str(exc)
        else:
            row.file.name = _stored(upload.owner_id, f".{info.extension}", item.data)
            row.preview.name = _stored(upload.owner_id, "-preview.jpg", preview)
    if row.reason:
        row.match = PhotoBulkFile.Match.UNMATCHED
    elif len(match.listing_ids) == 1:
        row.match, row.listing_id = PhotoBulkFile.Match.MATCHED, match.listing_ids[0]
    elif match.listing_ids:
        row.match = PhotoBulkFile.Match.AMBIGUOUS
        row.candidates = [{"listing": pk, "number": number} for pk, number in match.numbers.items()]
    else:
        row.match, row.reason = PhotoBulkFile.Match.UNMATCHED, "No listing has this id or SKU."
    return row


@transaction.atomic
def photo_bulk_create(*, owner: User, uploads: Sequence[UploadedFile]) -> PhotoBulk:
    """Read a bulk upload (a zip's images or many files, within the bulk limits),
    store each usable photo with a preview and match its name to the owner's
    listings. Nothing is attached yet: the seller checks the matches first."""
    items = bulk.bulk_items(uploads)
    matches = bulk.names_matched(owner, [item.name for item in items])
    upload = PhotoBulk.objects.create(owner=owner)
    rows = [_bulk_file(upload, item, match) for item, match in zip(items, matches, strict=True)]
    PhotoBulkFile.objects.bulk_create(rows)
    audit_record(
        actor=owner,
        action="photo.bulk_upload",
        obj=upload,
        changes={
            "files": len(rows),
            **{match: sum(row.match == match for row in rows) for match in PhotoBulkFile.Match.values},
        },
    )
    return upload


def _candidates(row: PhotoBulkFile) -> dict[int, int]:
    """{listing id: photo number} of an ambiguous file."""
    return {candidate["listing"]: candidate["number"] for candidate in row.candidates}


@transaction.atomic
@serialised_per_user
def photo_bulk_attach(
    *, upload: PhotoBulk, actor: User, choices: Mapping[int, int] | None = None
) -> list[ListingPhoto]:
    """Attach the matched files (and the ambiguous ones the seller chose a listing
    for, ``choices`` {file id: listing id}) to their listings, in the order their
    names give, as one undo step; the bulk upload is done with then."""
    choices = dict(choices or {})
    files = list(upload.files.exclude(match=PhotoBulkFile.Match.UNMATCHED))
    errors = [
        FieldError("choices", f"{row.name}: choose one of listings {', '.join(map(str, _candidates(row)))}.")
        for row in files
        if row.pk in choices and choices[row.pk] not in _candidates(row)
    ]
    unknown = set(choices) - {row.pk for row in files}
    errors += [
        FieldError("choices", f"File {pk} is not one to choose a listing for.") for pk in sorted(unknown)
    ]
    if errors:
        raise InvalidInput(errors)
    for row in files:
        if row.match == PhotoBulkFile.Match.AMBIGUOUS and row.pk in choices:
            row.listing_id = choices[row.pk]
            row.number = _candidates(row)[row.listing_id]
    chosen = sorted(
        ((row.listing_id, row) for row in files if row.listing_id is not None),
        key=lambda item: (item[0], item[1].number, item[1].name),
    )
    listings = Listing.objects.filter(owner=upload.owner).in_bulk({pk for pk, _ in chosen})
    uploads = []
    for listing_id, row in chosen:
        listing = listings.get(listing_id)
        if listing is None:  # deleted since the upload was matched
            continue
        stored = default_storage.open(row.file.name, "rb")
        uploads.append(PhotoUpload(listing, File(stored, name=row.name)))
    try:
        photos = photos_attach(uploads=uploads, actor=actor)
    finally:
        for item in uploads:
            item.upload.close()
    _bulk_delete(upload)
    return photos


@transaction.atomic
def photo_bulk_discard(*, upload: PhotoBulk, actor: User) -> None:
    audit_record(actor=actor, action="photo.bulk_discard", obj=upload, changes={})
    _bulk_delete(upload)


def _bulk_delete(upload: PhotoBulk) -> None:
    names = [name for row in upload.files.all() for name in (row.file.name, row.preview.name) if name]
    upload.delete()
    transaction.on_commit(lambda: delete_stored(names))


# --- undo and redo of photo steps (``listings.signals.step_replayed``) ---------------


def _step_entries(batch: uuid.UUID) -> list[dict[str, Any]]:
    return list(
        AuditEntry.objects.filter(batch=batch, object_type=PHOTO_TYPE)
        .order_by("id")
        .values("object_id", "changes")
    )


def _refuse_if_touched_later(step: UndoStep, photo_ids: Sequence[str]) -> None:
    later = UndoStep.objects.filter(undone=False, id__gt=step.id).values("batch")
    clash = (
        AuditEntry.objects.filter(object_type=PHOTO_TYPE, batch__in=later, object_id__in=photo_ids)
        .order_by("-id")
        .values_list("batch", flat=True)
        .first()
    )
    if clash is None:
        return
    blocking = UndoStep.objects.filter(batch=clash).first()
    mine = blocking is not None and blocking.user_id == step.user_id
    message = "A later change touched the same photos."
    message += " Undo that change first." if mine else " It cannot be undone from here."
    raise NotUndoable(message, listings=[], blocking=blocking if mine else None)


def photos_replay(*, step: UndoStep, undo: bool, dry_run: bool = False) -> int:
    """Put the step's photos as they were before it (``undo``) or after it (redo):
    shown or hidden, and their positions. Refuses (``NotUndoable``) an undo while a
    later change still in effect touched the same photos. Returns how many it put
    back. Runs inside the undo's transaction, behind the user's write lock."""
    entries = _step_entries(step.batch)
    if not entries:
        return 0
    if undo:
        _refuse_if_touched_later(step, [entry["object_id"] for entry in entries])
    if dry_run:
        return 0
    side = 0 if undo else 1
    states: dict[int, dict[str, Any]] = {}
    for entry in entries if undo else reversed(entries):
        state = states.setdefault(int(entry["object_id"]), {})
        for name in (SHOWN, POSITION):
            if name in entry["changes"]:
                state[name] = entry["changes"][name][side]
    photos = ListingPhoto.objects.select_for_update().in_bulk(list(states))
    for pk, state in states.items():
        photo = photos.get(pk)
        if photo is None:  # purged since
            continue
        if SHOWN in state:
            photo.removed_batch = None if state[SHOWN] else step.batch
        if state.get(POSITION) is not None:
            photo.position = state[POSITION]
    ListingPhoto.objects.bulk_update(photos.values(), ["removed_batch", "position"])
    audit_record_many(
        actor=step.user,
        action="photo.undo" if undo else "photo.redo",
        object_type=PHOTO_TYPE,
        changes_by_id=(
            (pk, {SHOWN: [None, photo.removed_batch is None], POSITION: [None, photo.position]})
            for pk, photo in photos.items()
        ),
        batch=new_batch(),
    )
    if not undo:
        purge_after_commit(step.user_id)
    return len(photos)


# --- the purge: photos nothing can bring back -----------------------------------------


def purge_after_commit(owner_id: int) -> None:
    transaction.on_commit(lambda: purge_photos.enqueue(owner_id))


def _purgeable(owner_id: int) -> list[ListingPhoto]:
    """The owner's photos that no undo or redo can show again: hidden by a step that
    is forgotten, or of a listing that is gone and that no kept step touched."""
    kept_steps = UndoStep.objects.values("batch")
    removed = list(
        ListingPhoto.objects.filter(owner_id=owner_id, removed_batch__isnull=False).exclude(
            removed_batch__in=kept_steps
        )
    )
    orphans = list(
        ListingPhoto.objects.filter(owner_id=owner_id).filter(
            ~Exists(Listing.objects.filter(pk=OuterRef("listing_id")))
        )
    )
    gone = {str(photo.listing_id) for photo in orphans}
    restorable = set(
        AuditEntry.objects.filter(object_type=LISTING_TYPE, object_id__in=gone, batch__in=kept_steps)
        .values_list("object_id", flat=True)
        .distinct()
    )
    unreachable = [photo for photo in orphans if str(photo.listing_id) not in restorable]
    return list({photo.pk: photo for photo in [*removed, *unreachable]}.values())


@transaction.atomic
def photos_purge(*, owner_id: int) -> int:
    """Delete the owner's photos that nothing can bring back, and then (once the
    transaction commits) their stored files that no other photo shares."""
    photos = _purgeable(owner_id)
    if not photos:
        return 0
    names = {name for photo in photos for name in (photo.file.name, photo.thumbnail.name, photo.display.name)}
    names.discard("")
    ListingPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    audit_record_many(
        actor=None,
        action="photo.purge",
        object_type=PHOTO_TYPE,
        changes_by_id=((photo.pk, {"listing": [photo.listing_id, None]}) for photo in photos),
        batch=new_batch(),
    )
    shared = Q(file__in=names) | Q(thumbnail__in=names) | Q(display__in=names)
    still_used = set()
    for row in ListingPhoto.objects.filter(shared).values_list("file", "thumbnail", "display"):
        still_used.update(row)
    unused = sorted(names - still_used)
    transaction.on_commit(lambda: delete_stored(unused))
    return len(photos)


@task()
def purge_photos(owner_id: int) -> int:
    return photos_purge(owner_id=owner_id)


# --- Publishable photo links (photos.links) ---------------------------------------


@transaction.atomic
def photo_links_publish(*, owner: User) -> PhotoLinkKey:
    """Give every photo of ``owner`` a link (kept if already published)."""
    link_key, created = PhotoLinkKey.objects.get_or_create(owner=owner, defaults={"key": new_link_key()})
    if created:
        audit_record(actor=owner, action="photo_links.publish", obj=link_key, changes={})
        refresh_photo_link_tokens.enqueue(owner.pk)
    return link_key


@transaction.atomic
def photo_links_revoke(*, owner: User) -> PhotoLinkKey | None:
    """Revoke all links: a new key, so every URL given out so far stops working and
    every photo gets a new one. Nothing to do when none were published."""
    link_key = PhotoLinkKey.objects.select_for_update().filter(owner=owner).first()
    if link_key is None:
        return None
    link_key.key = new_link_key()
    link_key.save(update_fields=["key", "created_at"])
    audit_record(actor=owner, action="photo_links.revoke", obj=link_key, changes={})
    refresh_photo_link_tokens.enqueue(owner.pk)
    return link_key


@transaction.atomic
def photo_links_unpublish(*, owner: User) -> None:
    deleted, _ = PhotoLinkKey.objects.filter(owner=owner).delete()
    if deleted:
        audit_record(
            actor=owner, action="photo_links.unpublish", object_type="photos.photolinkkey", changes={}
        )


# The *Photo links* page's and the API's one set of link operations, by name.
PHOTO_LINK_WRITES = {
    "publish": photo_links_publish,
    "revoke": photo_links_revoke,
    "unpublish": photo_links_unpublish,
}
