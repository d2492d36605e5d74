"""Likely duplicates among a seller's listings (archived ones left out): the same
title (any case, spacing and punctuation) at the same price, and on PostgreSQL
near-identical titles (trigram similarity) at the same price. A SKU cannot repeat:
it is unique per owner (``listings.skus``). Groups join every listing linked by
either rule; each group is sorted by id, the oldest first."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from accounts.models import User
from listings.fields import Status
from listings.models import Listing

# Titles this similar (pg_trgm's similarity, 0 to 1) are the same item written twice.
SIMILARITY = 0.75
# At most this many similar pairs are looked at, and for at most this long: a seller
# with thousands of listings at one price must not stall the page.
MAX_SIMILAR_PAIRS = 5000
SIMILAR_TIMEOUT_MS = 3000
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
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(SIMILAR_TIMEOUT_MS)}")
            cursor.execute(sql, params)
            pairs = list(cursor.fetchall())
            # SET LOCAL outlives the savepoint it was set in: the rest of the transaction
            # gets the usual limit back.
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            return pairs
    except DatabaseError:
        # Too slow for this seller's listings: the exact rule still holds.
        return []


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

    by_key: dict[tuple, list[int]] = defaultdict(list)
    rows = (
        Listing.objects.filter(owner=user)
        .exclude(status=Status.ARCHIVED)
        .order_by("id")
        .values_list("id", "title", "price")
        .iterator(chunk_size=5000)
    )
    for pk, title, price in rows:
        by_key[(_title_key(title), price)].append(pk)
    same_title: set[int] = set()
    for ids in by_key.values():
        for other in ids[1:]:
            join(ids[0], other)
            same_title.update(ids)
    for a, b in _similar_pairs(user):
        join(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for pk in list(parent):
        members[root(pk)].append(pk)
    groups = [
        DuplicateGroup(tuple(sorted(ids)), SAME_TITLE if set(ids) <= same_title else SIMILAR_TITLE)
        for ids in members.values()
        if len(ids) > 1
    ]
    return sorted(groups, key=lambda group: group.ids[0])


def duplicate_ids(user: User) -> list[int]:
    """Every listing in one of the user's duplicate groups, group by group."""
    return [pk for group in duplicate_groups(user) for pk in group.ids]
