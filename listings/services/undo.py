"""Undo, redo and revert: bring listings back to a state their audit entries record.

One user action (a bulk edit, a paste, an import, an OCR convert) is one undo step:
every listing entry of its batch. Undo serialises per user
(``serialised_per_user``), and refuses an operation whose listings a later change still in effect
touched: undoing it would silently throw that change away."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from accounts.models import User
from audit.models import AuditEntry
from listings.concurrency import listing_for_update, serialised_per_user
from listings.fields import LISTING_FIELDS, STORED_FIELDS, Source
from listings.models import Listing, UndoStep
from listings.search import DEFER_ROWS
from listings.services.changes import (
    LINKS,
    LISTING_TYPE,
    NewListing,
    Recreate,
    SqlChange,
    changes_apply,
    listings_by_ids,
    settable_in_one_statement,
)
from listings.signals import step_replayed
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput

# How many of the blocking listings a refusal names.
NAMED_LISTINGS = 5


class NothingToUndo(Exception):
    """The user has no change left to undo (or to redo)."""


class NotUndoable(Exception):
    """A later change still in effect touched some of the operation's listings.
    ``blocking`` is that later operation when the user may undo it first."""

    def __init__(self, message: str, *, listings: Sequence[str], blocking: UndoStep | None) -> None:
        super().__init__(message)
        self.message = message
        self.listings = list(listings)
        self.blocking = blocking


@dataclass(frozen=True)
class UndoOutcome:
    action: str  # the action of the step undone or redone, e.g. "listing.bulk_set"
    listings: int  # how many listings were restored
    batch: uuid.UUID | None = None


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


def _restorable(state: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The cleaned field values of an audited ``state``, with the ``sold_at`` it
    recorded (the write path would otherwise date a sale by the undo)."""
    values = clean_listing({name: state[name] for name in LISTING_FIELDS if name in state}, partial=partial)
    if "sold_at" in state:
        sold_at = state["sold_at"]
        values["sold_at"] = parse_datetime(sold_at) if isinstance(sold_at, str) else sold_at
    return values


def _restore(*, states: Mapping[int, dict[str, Any] | None], actor: User, action: str) -> int:
    """Bring listings to ``states`` (see ``_states``) as one change: delete those that
    should not exist, re-create those that should (with their old ids, scans and
    links), and set the fields of the rest. Returns how many listings it touched."""
    ids = sorted(states)
    existing: set[int] = set()
    for queryset in listings_by_ids(ids):
        existing |= set(queryset.values_list("id", flat=True))
    reborn = [
        NewListing(
            pk=pk,
            owner_id=state.get("owner") or actor.pk,
            values=_restorable(state),
            source=state.get("source") or Source.MANUAL,
            extra=state.get("extra") or {},
            ocr_scan_id=state.get("ocr_scan"),
            links=state.get(LINKS) or {},
        )
        for pk, state in ((pk, states[pk]) for pk in ids if pk not in existing)
        # Only a create or delete entry holds a whole listing to bring back.
        if state is not None and state.get("title") is not None
    ]

    # An undo of a bulk set restores a handful of distinct values on 100,000 rows:
    # each is cleaned once.
    cleaned: dict[tuple, dict[str, Any]] = {}

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        state = states[row["id"]]
        recorded = {name: state[name] for name in STORED_FIELDS if name in state}
        key = tuple((name, type(value), value) for name, value in recorded.items())
        try:
            return cleaned[key]
        except KeyError:
            cleaned[key] = _restorable(recorded, partial=True)
            return cleaned[key]
        except TypeError:  # an unhashable value: a list where a field has a scalar
            return _restorable(recorded, partial=True)

    result = changes_apply(
        actor=actor,
        action=action,
        create=reborn,
        update=[pk for pk in ids if states[pk] is not None and pk in existing],
        compute=compute,
        delete=[pk for pk in ids if states[pk] is None and pk in existing],
        undoable=False,
    )
    return result.deleted + len(result.created) + result.updated


def _replay(step: UndoStep, *, actor: User, undo: bool) -> int:
    """Bring the step's listings back to before it (``undo``) or after it: set-based
    when it only changed fields (``_replay_in_sql``), else through their states."""
    action = "listing.undo" if undo else "listing.redo"
    touched = _replay_in_sql(step, actor=actor, action=action, undo=undo)
    if touched is None:
        touched = _restore(states=_states(_step_entries(step), before=undo), actor=actor, action=action)
    return touched


def _replay_in_sql(step: UndoStep, *, actor: User, action: str, undo: bool) -> int | None:
    """On PostgreSQL, replay a step of one entry per listing as one statement: a step
    of updates of fields set in one statement (``settable_in_one_statement``) by
    joining each listing to its entry for its before (or after) values, audited as
    any change; a step of creates or deletes by deleting or re-creating (``Recreate``)
    the listings whole. ``None`` when the step is not of one of those kinds."""
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    of_step = "batch = %s AND object_type = %s"
    side = 0 if undo else 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) = count(DISTINCT object_id), ARRAY(SELECT DISTINCT jsonb_object_keys(changes) "  # noqa: S608
            f"FROM {table} WHERE {of_step}), "
            # Whole listings (a create's or a delete's entry holds the owner) that exist
            # on the side replayed to (re-created) or on the other side only (deleted).
            f"bool_and(changes ? 'owner' AND changes -> 'title' ->> {side} IS NOT NULL "
            f"AND changes -> 'title' ->> {1 - side} IS NULL), "
            f"bool_and(changes ? 'owner' AND changes -> 'title' ->> {side} IS NULL) "
            f"FROM {table} WHERE {of_step}",
            [step.batch, LISTING_TYPE, step.batch, LISTING_TYPE],
        )
        once, names, reborn, gone = cursor.fetchone()
    if not once:
        return None
    entries = (
        f"SELECT object_id::bigint AS id, changes FROM {table} WHERE {of_step}",  # noqa: S608
        [step.batch, LISTING_TYPE],
    )
    listings = connection.ops.quote_name(Listing._meta.db_table)
    if gone:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.id FROM {listings} AS l JOIN ({entries[0]}) AS e ON e.id = l.id",  # noqa: S608
                entries[1],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        return changes_apply(actor=actor, action=action, delete=ids, undoable=False).deleted
    if reborn:
        return _recreate_in_sql(entries, side=side, actor=actor, action=action)
    if not settable_in_one_statement(names):
        return None
    fields = {}
    for name in names:
        kind = Listing._meta.get_field(name).db_type(connection)
        fields[name] = (
            f"CASE WHEN source.changes ? %s THEN (source.changes -> %s ->> %s)::{kind} ELSE {{{name}}} END",
            [name, name, side],
        )
    join = (
        f"JOIN (SELECT object_id::bigint AS id, changes FROM {table} WHERE {of_step}) AS source "  # noqa: S608
        "ON source.id = l.id",
        [step.batch, LISTING_TYPE],
    )
    return changes_apply(actor=actor, action=action, sql=SqlChange(fields, join), undoable=False).updated


def _recreate_in_sql(entries: tuple[str, list], *, side: int, actor: User, action: str) -> int | None:
    """Bring back whole the listings the ``entries`` hold on ``side`` in one statement
    (``Recreate``), unless one of them exists again or another listing of its owner
    took its SKU since: ``None`` then, for the path that explains the refusal."""
    listings = connection.ops.quote_name(Listing._meta.db_table)
    sql, params = entries
    sku = f"e.changes -> 'sku' ->> {side}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(l.id), EXISTS (SELECT 1 FROM ({sql}) AS e JOIN {listings} AS o "  # noqa: S608
            f"ON o.owner_id = coalesce((e.changes -> 'owner' ->> {side})::bigint, %s) "
            f"AND upper(o.sku) = upper({sku}) WHERE coalesce({sku}, '') <> '') "
            f"FROM ({sql}) AS e LEFT JOIN {listings} AS l ON l.id = e.id",
            [*params, actor.pk, *params],
        )
        count, existing, taken = cursor.fetchone()
    if existing or taken:
        return None
    recreate = Recreate(entries=entries, side=side, defer_search=count > DEFER_ROWS)
    return len(changes_apply(actor=actor, action=action, recreate=recreate, undoable=False).created)


def _step_entries(step: UndoStep) -> list[dict[str, Any]]:
    return list(
        AuditEntry.objects.filter(batch=step.batch, object_type=LISTING_TYPE)
        .order_by("id")
        .values("object_id", "changes")
    )


def _refuse_if_touched_later(step: UndoStep, *, user: User) -> None:
    """``NotUndoable`` when a later change still in effect (not undone) touched one
    of the step's listings; it names them and, if it is the user's, that change."""
    touched = AuditEntry.objects.filter(batch=step.batch, object_type=LISTING_TYPE).values("object_id")
    later = UndoStep.objects.filter(undone=False, id__gt=step.id).values("batch")
    clashes = list(
        AuditEntry.objects.filter(object_type=LISTING_TYPE, batch__in=later, object_id__in=touched)
        .order_by("-id")
        .values_list("batch", "object_id")[:200]
    )
    if not clashes:
        return
    blocking = UndoStep.objects.filter(batch=clashes[0][0]).first()
    pks = list(dict.fromkeys(int(object_id) for _, object_id in clashes))
    titles = dict(Listing.objects.filter(pk__in=pks[:NAMED_LISTINGS]).values_list("id", "title"))
    names = [f"“{titles[pk]}”" if pk in titles else f"listing {pk}" for pk in pks[:NAMED_LISTINGS]]
    more = len(pks) - len(names)
    named = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    message = f"A later change ({blocking.action if blocking else 'another edit'}) touched {named}."
    mine = blocking is not None and blocking.user_id == user.pk
    message += " Undo that change first." if mine else " It cannot be undone from here."
    raise NotUndoable(message, listings=names, blocking=blocking if mine else None)


def _replay_others(step: UndoStep, *, user: User, undo: bool, dry_run: bool = False) -> int:
    """Let the apps above listings put back their own objects of the step (photos);
    a receiver refuses with ``NotUndoable``. Returns how many objects they touched."""
    answers = step_replayed.send(sender=UndoStep, user=user, step=step, undo=undo, dry_run=dry_run)
    return sum(count or 0 for _, count in answers)


def _undo(step: UndoStep, *, user: User) -> UndoOutcome:
    _refuse_if_touched_later(step, user=user)
    count = _replay(step, actor=user, undo=True)
    count += _replay_others(step, user=user, undo=True)
    step.undone = True
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count, batch=step.batch)


@transaction.atomic
@serialised_per_user
def undo_last(*, user: User) -> UndoOutcome:
    """Undo the user's newest change (one user action is one step); it moves to the
    redo stack. The undo is itself audited. Raises ``NothingToUndo``, or
    ``NotUndoable`` when someone else changed the same listings since."""
    step = UndoStep.objects.filter(user=user, undone=False).order_by("-id").first()
    if step is None:
        raise NothingToUndo("Nothing to undo.")
    return _undo(step, user=user)


@transaction.atomic
@serialised_per_user
def operation_undo(*, user: User, batch: uuid.UUID) -> UndoOutcome:
    """Undo one of the user's operations (its audit ``batch``), not only the newest:
    allowed while no later change still in effect touched the same listings
    (``NotUndoable`` names them and the change to undo first)."""
    step = UndoStep.objects.filter(user=user, batch=batch).first()
    if step is None:
        raise NothingToUndo("That change can no longer be undone.")
    if step.undone:
        raise NothingToUndo("That change is already undone.")
    return _undo(step, user=user)


def operation_undo_refusal(*, user: User, batch: uuid.UUID) -> str | None:
    """Why ``operation_undo`` would refuse ``batch`` now, or ``None`` if it would not."""
    step = UndoStep.objects.filter(user=user, batch=batch).first()
    if step is None:
        return "That change can no longer be undone."
    if step.undone:
        return "That change is already undone."
    try:
        _refuse_if_touched_later(step, user=user)
        _replay_others(step, user=user, undo=True, dry_run=True)
    except NotUndoable as exc:
        return exc.message
    return None


@transaction.atomic
@serialised_per_user
def redo_last(*, user: User) -> UndoOutcome:
    """Redo the change the user undid last. Raises ``NothingToUndo`` when none is left,
    or ``NotUndoable`` when someone (staff, in the admin) changed its listings since:
    redoing would silently throw that change away."""
    step = UndoStep.objects.filter(user=user, undone=True).order_by("id").first()
    if step is None:
        raise NothingToUndo("Nothing to redo.")
    _refuse_if_touched_later(step, user=user)
    count = _replay(step, actor=user, undo=False)
    count += _replay_others(step, user=user, undo=False)
    step.undone = False
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count, batch=step.batch)


@transaction.atomic
@serialised_per_user
def listing_revert(*, listing: Listing, entry: AuditEntry, actor: User) -> Listing:
    """Put the listing back as it was just before ``entry`` (one of its audit
    entries, whichever operation wrote it: an edit, a bulk change, an import): that
    change and every later one are rolled back, as one new change."""
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
    values = _restorable(state, partial=True)
    listing_for_update(listing.pk)  # a listing deleted meanwhile is ListingGone, a 404
    changes_apply(
        actor=actor, action="listing.revert", update=[listing.pk], compute=lambda row: values, lock=True
    )
    return Listing.objects.get(pk=listing.pk)
