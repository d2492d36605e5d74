"""A block pasted into the grid, written as one undo step."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from listings.concurrency import serialised_per_user
from listings.models import Listing
from listings.selectors import NEW_ROW_TITLE
from listings.services.changes import NewListing, changes_apply
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput

CONFLICT = "Changed by another edit since the page loaded; nothing pasted on this row."


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
    out; the line's valid cells are still saved. One change, so one undo step,
    and a handful of queries whatever the block's size."""
    errors: list[tuple[int, int | None, FieldError]] = []
    updates: dict[int, dict] = {}
    lines: dict[int, int] = {}
    expected: dict[int, int] = {}
    creates: list[NewListing] = []
    for number, cells in enumerate(block, start=1):
        data = dict(zip(fields, cells, strict=False))
        listing, version = targets[number - 1] if number <= len(targets) else (None, None)
        valid = {}
        try:
            valid = clean_listing(data, partial=True)
        except InvalidInput as exc:
            errors += [(number, listing and listing.pk, error) for error in exc.errors]
            bad = {error.field for error in exc.errors}
            valid = clean_listing(
                {name: value for name, value in data.items() if name not in bad}, partial=True
            )
        if listing is None:
            values = clean_listing({"title": NEW_ROW_TITLE, "price": 0, **valid})
            creates.append(NewListing(owner_id=owner.pk, values=values))
            continue
        updates[listing.pk], lines[listing.pk] = valid, number
        if version is not None:
            expected[listing.pk] = version
    result = changes_apply(
        actor=actor,
        action="listing.paste",
        create=creates,
        update=list(updates),
        compute=lambda row: updates[row["id"]],
        expected_versions=expected,
        skip_conflicts=True,
        entry_actions={"create": "listing.create", "update": "listing.update"},
    )
    errors += [(lines[pk], pk, FieldError(fields[0], CONFLICT)) for pk in result.conflicts]
    errors.sort(key=lambda error: error[0])
    written = Listing.objects.in_bulk([pk for pk in updates if pk not in result.conflicts] + result.created)
    return PasteResult(
        updated=[written[pk] for pk in updates if pk in written],
        created=[written[pk] for pk in result.created],
        errors=errors,
    )
