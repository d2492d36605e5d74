"""Reads of photos, scoped to their owner: another user's photo (or one of another
user's listing) is a 404, files included."""

from django.db.models import QuerySet
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
