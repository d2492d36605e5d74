"""Reads of photos, scoped to their owner: another user's photo (or one of another
user's listing) is a 404, files included."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from listings.models import Listing
from photos.models import ListingPhoto, PhotoBulk, PhotoBulkFile


def photos_of_listing(listing: Listing) -> QuerySet[ListingPhoto]:
    """The photos shown on ``listing`` (fetched for its owner), in their order."""
    return ListingPhoto.objects.filter(listing=listing, removed_batch__isnull=True).order_by("position", "id")


def photo_get_for_user(user: User, listing_id: int, photo_id: int) -> ListingPhoto:
    """One shown photo of one of the user's listings (the listing must exist)."""
    return get_object_or_404(
        ListingPhoto.objects.select_related("listing"),
        pk=photo_id,
        listing_id=listing_id,
        listing__owner=user,
        owner=user,
        removed_batch__isnull=True,
    )


@dataclass(frozen=True)
class PhotoSummary:
    """What the grid's photo column shows of a listing: how many, and the first."""

    count: int
    first: ListingPhoto | None


def photo_summaries(user: User, listing_ids: Iterable[int]) -> dict[int, PhotoSummary]:
    """The photo column of many rows in two queries: counts, then each first photo."""
    ids = [int(pk) for pk in listing_ids]
    shown = ListingPhoto.objects.filter(owner=user, listing_id__in=ids, removed_batch__isnull=True)
    counts = dict(shown.order_by().values_list("listing_id").annotate(count=Count("id")))
    with_photos = shown.filter(listing_id__in=list(counts)).order_by("listing_id", "position", "id")
    if connection.vendor == "postgresql":
        firsts = {photo.listing_id: photo for photo in with_photos.distinct("listing_id")}
    else:  # SQLite (make run) has no DISTINCT ON
        firsts = {}
        for photo in with_photos:
            firsts.setdefault(photo.listing_id, photo)
    return {pk: PhotoSummary(counts.get(pk, 0), firsts.get(pk)) for pk in ids}


def photo_bulk_get_for_user(user: User, bulk_id: int) -> PhotoBulk:
    return get_object_or_404(PhotoBulk.objects.prefetch_related("files"), pk=bulk_id, owner=user)


def bulk_file_get_for_user(user: User, bulk_id: int, file_id: int) -> PhotoBulkFile:
    return get_object_or_404(PhotoBulkFile, pk=file_id, bulk_id=bulk_id, bulk__owner=user)


def bulk_listing_titles(user: User, bulk: PhotoBulk) -> dict[int, str]:
    """The titles of the listings a bulk upload's files point at, for its preview."""
    ids = {row.listing_id for row in bulk.files.all() if row.listing_id}
    ids |= {candidate["listing"] for row in bulk.files.all() for candidate in row.candidates}
    return dict(Listing.objects.filter(owner=user, pk__in=ids).values_list("pk", "title"))


def display_photos(user: User, listing_ids: Sequence[int]) -> dict[int, list[Callable[[], bytes]]]:
    """{listing id: a reader of each of its photos' display-size JPEG, in order}: the
    photos an export bundles (shown and drawn ones only)."""
    ready = ListingPhoto.objects.filter(
        owner=user,
        listing_id__in=list(listing_ids),
        removed_batch__isnull=True,
        status=ListingPhoto.Status.READY,
    ).order_by("listing_id", "position", "id")
    readers: dict[int, list[Callable[[], bytes]]] = {}
    for photo in ready.only("listing_id", "display"):
        readers.setdefault(photo.listing_id, []).append(partial(_read, photo.display.name))
    return readers


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()
