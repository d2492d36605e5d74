"""Cleaning up duplicates: keep one listing of a group, archive the rest (kept on
record, out of the grid), as one undo step."""

from collections.abc import Collection

from django.db import transaction

from accounts.models import User
from listings.concurrency import serialised_per_user
from listings.duplicates import duplicate_groups
from listings.fields import Status
from listings.selectors import listings_for_user
from listings.services.changes import changes_apply
from marketplace.errors import InvalidInput


@transaction.atomic
@serialised_per_user
def duplicates_archive(*, user: User, keep: Collection[int] | None = None) -> int:
    """Archive the duplicates of the listings in ``keep`` (each keeps its group), or,
    without ``keep``, of every group's oldest listing. Returns how many were archived.
    ``InvalidInput`` names a kept listing that is in no group, or two kept in one."""
    groups = duplicate_groups(user)
    kept = set(keep) if keep is not None else None
    archive: list[int] = []
    for group in groups:
        if kept is None:
            keeper = group.ids[0]
        else:
            chosen = sorted(kept.intersection(group.ids))
            if not chosen:
                continue
            if len(chosen) > 1:
                raise InvalidInput.one(
                    "keep", f"Listings {chosen[0]} and {chosen[1]} are duplicates of each other; keep one."
                )
            keeper = chosen[0]
        archive += [pk for pk in group.ids if pk != keeper]
    if kept is not None and (strays := kept.difference(pk for group in groups for pk in group.ids)):
        raise InvalidInput.one("keep", f"Listing {min(strays)} has no duplicates.")
    if not archive:
        raise InvalidInput.one("keep", "No duplicates to archive.")
    return changes_apply(
        actor=user,
        action="listing.archive_duplicates",
        update=listings_for_user(user).filter(pk__in=archive),
        values={"status": Status.ARCHIVED},
    ).updated
