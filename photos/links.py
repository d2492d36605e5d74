"""Reads of publishable photo links: an unguessable, revocable URL per photo that serves that
photo alone, without logging in, so a marketplace can fetch it from an exported
file or a feed.

The URL is ``/p/<photo id>/<token>.jpg``, the token an HMAC of the photo id under
the site's secret and the seller's link key (``PhotoLinkKey``): it cannot be guessed
or derived from another photo's, and a new key revokes every URL at once.
"""

import secrets
from collections.abc import Callable, Mapping, Sequence

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from listings.models import Listing
from listings.readiness import EVERY_LISTING, Rule
from photos.models import ListingPhoto, PhotoLinkKey

_SALT = "photos.links"


def photo_tokens(key: str) -> Callable[[int], str]:
    """The token of a photo id under the link key ``key``: the first 32 hex digits of
    Django's ``salted_hmac`` of the id and the key, keyed by the site's secret."""
    suffix = f":{key}"
    return lambda photo_id: salted_hmac(_SALT, f"{photo_id}{suffix}", algorithm="sha256").hexdigest()[:32]


def new_link_key() -> str:
    return secrets.token_urlsafe(32)


def link_key_object(owner: User) -> PhotoLinkKey | None:
    return PhotoLinkKey.objects.filter(owner=owner).first()


def link_key_of(owner: User) -> str | None:
    return PhotoLinkKey.objects.filter(owner=owner).values_list("key", flat=True).first()


def published_photo_urls(owner: User, listing_ids: Sequence[int], base_url: str) -> Mapping[int, list[str]]:
    """Listing id -> the absolute links of its ready, shown photos in order; empty
    when ``owner`` has published no links."""
    key = link_key_of(owner)
    if key is None:
        return {}
    photos = (
        ListingPhoto.objects.filter(
            owner=owner,
            listing_id__in=listing_ids,
            status=ListingPhoto.Status.READY,
            removed_batch__isnull=True,
        )
        .order_by("listing_id", "position", "id")
        .values_list("listing_id", "id")
    )
    token = photo_tokens(key)
    # The URL pattern's path once, around the parts each photo fills in.
    head, end = reverse("photo-link", args=[1, "t"]).rsplit("/1/t", 1)
    head = base_url.rstrip("/") + head
    urls: dict[int, list[str]] = {}
    for listing_id, photo_id in photos:
        urls.setdefault(listing_id, []).append(f"{head}/{photo_id}/{token(photo_id)}{end}")
    return urls


def photo_for_link(photo_id: int, token: str) -> ListingPhoto | None:
    """The photo a link names, if the link is the current one and the photo is shown."""
    photo = (
        ListingPhoto.objects.filter(
            pk=photo_id,
            status=ListingPhoto.Status.READY,
            removed_batch__isnull=True,
        )
        # A deleted listing's photos wait for its undo; they are not shown meanwhile.
        .filter(Exists(Listing.objects.filter(pk=OuterRef("listing_id"))))
        .select_related("owner__photo_link_key")
        .first()
    )
    if photo is None:
        return None
    try:
        key = photo.owner.photo_link_key.key
    except PhotoLinkKey.DoesNotExist:
        return None
    return photo if constant_time_compare(token, photo_tokens(key)(photo_id)) else None


# Meta's catalog and eBay refuse an item without a picture; Shopify and WooCommerce
# take products without one.
MARKETPLACES_NEEDING_A_PHOTO = ("ebay", "meta-catalog")


# Made once, so each is compiled once (``listings.readiness.Rule.fails_sql``).
NO_PUBLISHED_LINKS = Rule(
    "no_photo_link", "no published photo link (publish photo links in settings)", EVERY_LISTING
)
NO_READY_PHOTO = Rule(
    "no_photo_link",
    "no ready photo",
    ~Q(
        Exists(
            ListingPhoto.objects.filter(
                listing_id=OuterRef("pk"), status=ListingPhoto.Status.READY, removed_batch__isnull=True
            )
        )
    ),
)


def no_photo_link_rule(user: User) -> Rule:
    """Listings a marketplace would refuse for want of a photo it can fetch: none
    published, or no ready photo."""
    if not PhotoLinkKey.objects.filter(owner=user).exists():
        return NO_PUBLISHED_LINKS
    return NO_READY_PHOTO
