"""A block pasted into the grid, written as one undo step."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from audit.services import new_batch
from listings.concurrency import serialised_per_user
from listings.models import Listing
from listings.selectors import NEW_ROW_TITLE
from listings.services.changes import VersionConflict, listing_create, listing_update
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput


@dataclass(frozen=True)
class PasteResult:
    updated: list[Listing]
    created: list[Listing]
    # (line of the pasted block, counted from 1; the listing it was for or None; the error)
    errors: list[tuple[int, int | None, FieldError]]


@transaction.atomic
@serialised_per_user
def listings_paste(
    *,
    owner: User,
    fields: Sequence[str],
    targets: Sequence[tuple[Listing, int | None]],
    block: Sequence[Sequence[str]],
    actor: User,
) -> PasteResult:
    """Write a block pasted into the grid: line ``i`` goes to ``targets[i]`` (a
    listing and the version the user saw) or, past the last target, to a new
    listing; column ``j`` is ``fields[j]``. Invalid cells are reported and left
    out; the line's valid cells are still saved. One batch, so one undo step."""
    batch = new_batch()
    updated: list[Listing] = []
    created: list[Listing] = []
    errors: list[tuple[int, int | None, FieldError]] = []
    for number, cells in enumerate(block, start=1):
        data = dict(zip(fields, cells, strict=False))
        listing, version = targets[number - 1] if number <= len(targets) else (None, None)
        try:
            clean_listing(data, partial=True)
            valid = data
        except InvalidInput as exc:
            errors += [(number, listing and listing.pk, error) for error in exc.errors]
            bad = {error.field for error in exc.errors}
            valid = {name: value for name, value in data.items() if name not in bad}
        if listing is None:
            new_row = {"title": NEW_ROW_TITLE, "price": 0, **valid}
            created.append(listing_create(owner=owner, data=new_row, actor=actor, batch=batch))
            continue
        try:
            updated.append(
                listing_update(
                    listing=listing, data=valid, actor=actor, expected_version=version, batch=batch
                )
            )
        except VersionConflict:
            message = "Changed by another edit since the page loaded; nothing pasted on this row."
            errors.append((number, listing.pk, FieldError(fields[0], message)))
    return PasteResult(updated=updated, created=created, errors=errors)
