"""Reads of publishable photo links: an unguessable, revocable URL per photo that serves that
photo alone, without logging in, so a marketplace can fetch it from an exported
file or a feed.

The URL is ``/p/<photo id>/<token>.jpg``, the token an HMAC of the photo id under
the site's secret and the seller's link key (``PhotoLinkKey``): it cannot be guessed
or derived from another photo's, and a new key revokes every URL at once.
"""

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BinaryField, Case, Exists, F, Func, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, Left
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes

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


def link_token_stamp(key: str) -> str:
    """What a photo's kept token (``ListingPhoto.link_token``) was made under: a
    fingerprint of the link key ``key`` and the site's secret, so a token kept from an
    older key or secret no longer counts."""
    return salted_hmac(f"{_SALT}.stamp", key, algorithm="sha256").hexdigest()[:16]


def new_link_key() -> str:
    return secrets.token_urlsafe(32)


def link_key_object(owner: User) -> PhotoLinkKey | None:
    return PhotoLinkKey.objects.filter(owner=owner).first()


def link_key_of(owner: User) -> str | None:
    return PhotoLinkKey.objects.filter(owner=owner).values_list("key", flat=True).first()


def _published_photos(owner: User) -> QuerySet[ListingPhoto]:
    """The photos a marketplace's file links to: ready, shown, in the listing's order."""
    return ListingPhoto.objects.filter(
        owner=owner, status=ListingPhoto.Status.READY, removed_batch__isnull=True
    ).order_by("listing_id", "position", "id")


def _link_parts(base_url: str) -> tuple[str, str]:
    """The link's text before the photo id and after the token: the URL pattern's
    path reversed once, around the parts each photo fills in."""
    head, end = reverse("photo-link", args=[1, "t"]).rsplit("/1/t", 1)
    return base_url.rstrip("/") + head, end


def published_photo_urls(owner: User, listing_ids: Sequence[int], base_url: str) -> Mapping[int, list[str]]:
    """Listing id -> the absolute links of its ready, shown photos in order; empty
    when ``owner`` has published no links."""
    key = link_key_of(owner)
    if key is None:
        return {}
    photos = _published_photos(owner).filter(listing_id__in=listing_ids).values_list("listing_id", "id")
    token = photo_tokens(key)
    head, end = _link_parts(base_url)
    urls: dict[int, list[str]] = {}
    for listing_id, photo_id in photos:
        urls.setdefault(listing_id, []).append(f"{head}/{photo_id}/{token(photo_id)}{end}")
    return urls


class _Bytes(Func):
    """Byte strings one after the other (bytea's ``||``)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = BinaryField()


def _sha256(expression) -> Func:
    return Func(expression, function="sha256", output_field=BinaryField())


# The HMAC key's inner and outer pads reach PostgreSQL as settings of the export's
# transaction (``marketplace.sqlsettings``), never in a statement's text.
_PAD_SETTINGS = ("photos.link_inner_pad", "photos.link_outer_pad")


def link_pad_settings() -> dict[str, str]:
    """The settings ``photo_token_sql`` reads: the inner and outer pads (RFC 2104) of
    the key ``salted_hmac`` derives from the salt and the site's secret, in hex."""
    derived = hashlib.sha256(force_bytes(_SALT) + force_bytes(settings.SECRET_KEY)).digest()
    block = derived.ljust(hashlib.sha256().block_size, b"\0")
    pads = zip(_PAD_SETTINGS, (0x36, 0x5C), strict=True)
    return {name: bytes(byte ^ pad for byte in block).hex() for name, pad in pads}


def _pad(name: str) -> RawSQL:
    # A subquery of no table: read once a statement, not once a photo.
    return RawSQL("(SELECT decode(current_setting(%s), 'hex'))", [name], output_field=BinaryField())


def photo_token_sql(key: str, photo_id: F | Value) -> Func:
    """``photo_tokens(key)`` of ``photo_id`` in SQL, for files of many links (a Python
    HMAC a photo would be most of such a file's time): HMAC-SHA256 over PostgreSQL's
    own ``sha256()``, in a transaction that has ``link_pad_settings()`` set. A test
    holds it equal to ``photo_tokens``."""
    message = Func(
        Concat(Cast(photo_id, TextField()), Value(f":{key}"), output_field=TextField()),
        Value("UTF8"),
        function="convert_to",
        output_field=BinaryField(),
    )
    inner, outer = map(_pad, _PAD_SETTINGS)
    digest = _sha256(_Bytes(outer, _sha256(_Bytes(inner, message))))
    return Left(Func(digest, Value("hex"), function="encode", output_field=TextField()), 32)


@dataclass(frozen=True)
class PhotoLinksSql:
    """Each listing's published photo links in SQL: ``links`` over a listings query,
    a text array (empty without ready photos), read in a transaction that has
    ``local_settings`` set."""

    links: ArraySubquery
    local_settings: Mapping[str, str]


def published_photo_links(owner: User, base_url: str) -> PhotoLinksSql | None:
    """``published_photo_urls`` in SQL; None when ``owner`` has published no links."""
    key = link_key_of(owner)
    if key is None:
        return None
    head, end = _link_parts(base_url)
    # The kept token where it was made under this key and secret (kept by
    # ``photos.worker.photo_link_tokens_refresh``): signing 200,000
    # links was most of such a file's time. Any other photo is signed here.
    token = Case(
        When(link_token_stamp=link_token_stamp(key), then=F("link_token")),
        default=photo_token_sql(key, F("id")),
        output_field=TextField(),
    )
    link = Concat(
        Value(f"{head}/"), Cast("id", TextField()), Value("/"), token, Value(end), output_field=TextField()
    )
    photos = _published_photos(owner).filter(listing_id=OuterRef("id")).order_by("position", "id")
    return PhotoLinksSql(ArraySubquery(photos.values_list(link, flat=True)), link_pad_settings())


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
