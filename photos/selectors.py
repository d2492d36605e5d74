"""Reads of photos, scoped to their owner: another user's photo (or one of another
user's listing) is a 404, files included."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from listings.models import Listing
from photos.models import ListingPhoto


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
