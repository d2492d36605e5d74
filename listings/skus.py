"""SKUs are unique per owner, whatever their case: who already holds one, and the
words every door uses to refuse a second one (the write path checks before it
writes; the database's constraint ``SKU_UNIQUE_CONSTRAINT`` is the backstop)."""

import re
from collections.abc import Collection, Iterable

from django.db.models.functions import Upper

from listings.models import Listing

CHUNK = 5000
# What sellers put between the parts of a SKU ("AB-07", "ab_07", "AB 07", "AB.07", "AB/07").
_SEPARATORS = re.compile(r"[\s\-_./]+")
# Zeros in front of a number ("007" is "7"; "0" stays "0").
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def sku_key(sku: str) -> str:
    """What two SKUs share when they are the same SKU ("ab-1" is "AB-1")."""
    return sku.upper()


def sku_loose_key(sku: str) -> str:
    """What two SKUs share when they are likely one SKU typed two ways, though
    ``sku_key`` tells them apart: any case, no separators (spaces, dashes,
    underscores, dots, slashes), no zeros in front of a number, counted per part
    ("AB-007", "ab 7" and "Ab_07" are alike; "A-10-01" is "a101", not "A1001"'s
    "a1001"). Empty for a SKU of separators only."""
    parts = _SEPARATORS.split(sku.casefold())
    return "".join(_LEADING_ZEROS.sub("", part) for part in parts)


def sku_holders(
    owner_id: int, skus: Iterable[str], *, excluding: Collection[int] = ()
) -> dict[str, tuple[int, str]]:
    """``{sku_key: (listing id, title)}`` of the owner's listings holding one of
    ``skus``, leaving out the listings ``excluding`` names."""
    keys = sorted({sku_key(sku) for sku in skus if sku})
    holders: dict[str, tuple[int, str]] = {}
    excluded = set(excluding)
    for start in range(0, len(keys), CHUNK):
        rows = (
            Listing.objects.filter(owner_id=owner_id)
            .exclude(sku="")
            .annotate(sku_key=Upper("sku"))
            .filter(sku_key__in=keys[start : start + CHUNK])
            .order_by("id")
            .values_list("sku_key", "id", "title")
        )
        for key, pk, title in rows:
            if pk not in excluded:
                holders.setdefault(key, (pk, title))
    return holders


def sku_taken_message(sku: str, holder: tuple[int, str]) -> str:
    pk, title = holder
    return f"The SKU “{sku}” is already used by listing {pk} (“{title[:60]}”)."


def sku_repeated_message(sku: str, where: str) -> str:
    """``where``: the other row or item that gives it ("row 7 of chairs.xlsx")."""
    return f"The SKU “{sku}” is also given to {where}; a SKU names one listing."
