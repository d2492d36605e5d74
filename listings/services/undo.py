"""Undo, redo and revert: bring listings back to a state their audit entries record."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.models import AuditEntry
from audit.services import new_batch
from listings.concurrency import serialised_per_user
from listings.fields import LISTING_FIELDS, Source
from listings.models import Listing, UndoStep
from listings.services.changes import (
    CHUNK,
    LISTING_TYPE,
    SNAPSHOT_FIELDS,
    apply_to_rows,
    create_rows,
    delete_rows,
    listing_update,
    rows_by_ids,
)
from listings.validation import clean_listing, listing_warnings
from marketplace.errors import FieldError, InvalidInput


class NothingToUndo(Exception):
    """The user has no change left to undo (or to redo)."""


@dataclass(frozen=True)
class UndoOutcome:
    action: str  # the action of the step undone or redone, e.g. "listing.bulk_set"
    listings: int  # how many listings were restored


def _is_create(changes: Mapping[str, Any]) -> bool:
    title = changes.get("title")
    return bool(title) and title[0] is None and title[1] is not None


def _is_delete(changes: Mapping[str, Any]) -> bool:
    title = changes.get("title")
    return bool(title) and title[0] is not None and title[1] is None


def _states(entries: Sequence[Mapping[str, Any]], *, before: bool) -> dict[int, dict[str, Any] | None]:
    """Each listing's field values before (or after) the audited ``entries``, oldest
    first; ``None`` where the listing did not exist then."""
    states: dict[int, dict[str, Any] | None] = {}
    side, gone = (0, _is_create) if before else (1, _is_delete)
    for entry in entries if before else reversed(entries):
        pk = int(entry["object_id"])
        if pk not in states:
            states[pk] = None if gone(entry["changes"]) else {}
        if states[pk] is not None:
            for name, pair in entry["changes"].items():
                states[pk].setdefault(name, pair[side])
    return states


def _restore(*, states: Mapping[int, dict[str, Any] | None], actor: User, action: str) -> int:
    """Bring listings to ``states`` (see ``_states``) under one new batch: delete those
    that should not exist, re-create those that should (with their old ids), and
    set the fields of the rest. Returns how many listings it touched."""
    batch = new_batch()
    ids = sorted(states)
    existing: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        for row in Listing.objects.filter(pk__in=ids[start : start + CHUNK]).values("id", *SNAPSHOT_FIELDS):
            existing[row["id"]] = row
    doomed = [existing[pk] for pk in ids if states[pk] is None and pk in existing]
    delete_rows(rows=doomed, actor=actor, action=action, batch=batch)
    reborn = []
    for pk in ids:
        state = states[pk]
        # Only a create or delete entry holds a whole listing to bring back.
        if state is None or pk in existing or state.get("title") is None:
            continue
        fields = clean_listing({name: state[name] for name in LISTING_FIELDS if name in state})
        reborn.append(
            Listing(
                pk=pk,
                owner_id=state.get("owner") or actor.pk,
                source=state.get("source") or Source.MANUAL,
                extra=state.get("extra") or {},
                warnings=listing_warnings(fields),
                **fields,
            )
        )
    create_rows(listings=reborn, actor=actor, action=action, batch=batch)
    kept = [pk for pk in ids if states[pk] is not None and pk in existing]

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        state = states[row["id"]]
        return clean_listing({name: state[name] for name in LISTING_FIELDS if name in state}, partial=True)

    changed = apply_to_rows(rows=rows_by_ids(kept), actor=actor, action=action, compute=compute, batch=batch)
    return len(doomed) + len(reborn) + changed


def _step_entries(step: UndoStep) -> list[dict[str, Any]]:
    return list(
        AuditEntry.objects.filter(batch=step.batch, object_type=LISTING_TYPE)
        .order_by("id")
        .values("object_id", "changes")
    )


@transaction.atomic
@serialised_per_user
def undo_last(*, user: User) -> UndoOutcome:
    """Undo the user's newest change (one bulk change is one step); it moves to the
    redo stack. The undo is itself audited. Raises ``NothingToUndo``."""
    step = UndoStep.objects.select_for_update().filter(user=user, undone=False).order_by("-id").first()
    if step is None:
        raise NothingToUndo("Nothing to undo.")
    count = _restore(states=_states(_step_entries(step), before=True), actor=user, action="listing.undo")
    step.undone = True
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count)


@transaction.atomic
@serialised_per_user
def redo_last(*, user: User) -> UndoOutcome:
    """Redo the change the user undid last. Raises ``NothingToUndo`` when none is left."""
    step = UndoStep.objects.select_for_update().filter(user=user, undone=True).order_by("id").first()
    if step is None:
        raise NothingToUndo("Nothing to redo.")
    count = _restore(states=_states(_step_entries(step), before=False), actor=user, action="listing.redo")
    step.undone = False
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count)


@transaction.atomic
@serialised_per_user
def listing_revert(*, listing: Listing, entry: AuditEntry, actor: User) -> Listing:
    """Put the listing back as it was just before ``entry`` (one of its audit
    entries): that change and every later one are rolled back, as one new change."""
    if entry.object_type != LISTING_TYPE or entry.object_id != str(listing.pk):
        raise InvalidInput([FieldError("entry", "That history entry is not about this listing.")])
    later = list(
        AuditEntry.objects.filter(object_type=LISTING_TYPE, object_id=str(listing.pk), id__gte=entry.pk)
        .order_by("id")
        .values("object_id", "changes")
    )
    state = _states(later, before=True)[listing.pk]
    if state is None:
        raise InvalidInput([FieldError("entry", "That change created the listing; delete it instead.")])
    data = {name: state[name] for name in LISTING_FIELDS if name in state}
    return listing_update(listing=listing, data=data, actor=actor, action="listing.revert")
