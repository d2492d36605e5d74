"""Likely duplicates among a seller's listings (archived ones left out): SKUs that
are one SKU typed two ways (``listings.skus.sku_loose_key``: "AB-007" and "ab 7"; the
same SKU twice cannot be, SKUs being unique per owner whatever their case), the same
title (any case, spacing and punctuation) at the same price, and on PostgreSQL
near-identical titles (trigram similarity) at the same price. Groups join every
listing linked by any rule; each group is sorted by id, the oldest first, and says
which rules linked it."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, connection

from accounts.models import User
from listings.fields import Status
from listings.models import Listing
from listings.skus import sku_loose_key
from marketplace.sqlsettings import local_settings

# Titles this similar (pg_trgm's similarity, 0 to 1) are the same item written twice.
SIMILARITY = 0.75
# At most this many similar pairs are looked at, and for at most this long: a seller
# with thousands of listings at one price must not stall the page.
MAX_SIMILAR_PAIRS = 5000
SIMILAR_TIMEOUT_MS = 3000
SAME_SKU = "same SKU written differently"
SAME_TITLE, SIMILAR_TITLE = "same title and price", "similar title, same price"


@dataclass(frozen=True)
class DuplicateGroup:
    ids: tuple[int, ...]
    reason: str


def _title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


def _similar_pairs(user: User) -> list[tuple[int, int]]:
    if connection.vendor != "postgresql":
        return []
    table = connection.ops.quote_name(Listing._meta.db_table)
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f"SELECT a.id, b.id FROM {table} AS a JOIN {table} AS b "  # noqa: S608
        "ON b.owner_id = a.owner_id AND b.price = a.price AND b.id > a.id "
        "WHERE a.owner_id = %s AND a.status <> %s AND b.status <> %s "
        "AND similarity(a.title, b.title) >= %s LIMIT %s"
    )
    params = [user.pk, Status.ARCHIVED, Status.ARCHIVED, SIMILARITY, MAX_SIMILAR_PAIRS]
    try:
        # The rest of a caller's transaction gets its own limit back.
        with (
            local_settings({"statement_timeout": str(int(SIMILAR_TIMEOUT_MS))}),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    except DatabaseError:
        # Too slow for this seller's listings: the exact rule still holds.
        return []


def _reason(group: set[int], linked: dict[str, set[int]]) -> str:
    """The first rule that links the whole group, else every rule that linked some
    of it (a same-title pair is also a similar-title pair: said only once)."""
    for reason, ids in linked.items():
        if group <= ids:
            return reason
    exact = [reason for reason in (SAME_SKU, SAME_TITLE) if group & linked[reason]]
    if not group <= linked[SAME_SKU] | linked[SAME_TITLE]:
        exact.append(SIMILAR_TITLE)
    return "; ".join(exact)


def duplicate_groups(user: User) -> list[DuplicateGroup]:
    """The user's groups of likely duplicates, in the order of their oldest listing."""
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    def join(a: int, b: int) -> None:
        first, second = sorted((root(a), root(b)))
        parent[second] = first

    by_title: dict[tuple, list[int]] = defaultdict(list)
    by_sku: dict[str, list[int]] = defaultdict(list)
    rows = (
        Listing.objects.filter(owner=user)
        .exclude(status=Status.ARCHIVED)
        .order_by("id")
        .values_list("id", "title", "price", "sku")
        .iterator(chunk_size=5000)
    )
    for pk, title, price, sku in rows:
        by_title[(_title_key(title), price)].append(pk)
        if sku and (key := sku_loose_key(sku)):
            by_sku[key].append(pk)
    # The listings each rule links, in the order a group's reason names them.
    linked: dict[str, set[int]] = {SAME_SKU: set(), SAME_TITLE: set(), SIMILAR_TITLE: set()}
    for reason, keyed in ((SAME_SKU, by_sku), (SAME_TITLE, by_title)):
        for ids in keyed.values():
            if len(ids) > 1:
                linked[reason].update(ids)
            for other in ids[1:]:
                join(ids[0], other)
    for a, b in _similar_pairs(user):
        join(a, b)
        linked[SIMILAR_TITLE].update((a, b))
    members: dict[int, list[int]] = defaultdict(list)
    for pk in list(parent):
        members[root(pk)].append(pk)
    groups = [
        DuplicateGroup(tuple(sorted(ids)), _reason(set(ids), linked))
        for ids in members.values()
        if len(ids) > 1
    ]
    return sorted(groups, key=lambda group: group.ids[0])


def duplicate_ids(user: User) -> list[int]:
    """Every listing in one of the user's duplicate groups, group by group."""
    return [pk for group in duplicate_groups(user) for pk in group.ids]
