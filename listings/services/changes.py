"""The write path of listings: create, update and delete rows with their audit
entries and undo step, set-based for many rows. Every other service (bulk actions,
find & replace, paste, undo, imports, OCR, templates) writes through these."""

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record, audit_record_many, field_changes, new_batch
from listings.concurrency import listing_for_update, serialised_per_user
from listings.fields import LISTING_FIELDS, Source
from listings.models import Listing, UndoStep
from listings.validation import WARNING_FIELDS, clean_listing, listing_warnings
from marketplace.errors import FieldError, InvalidInput

LISTING_TYPE = "listings.listing"
# How many changes each user can undo; older steps are forgotten (their audit stays).
UNDO_DEPTH = 100
# A created or deleted listing's audit entry carries these too, so undo and redo
# can bring the whole listing back, not just its editable fields.
SNAPSHOT_FIELDS = (*LISTING_FIELDS, "owner", "source", "extra")
# A bulk change reports at most this many row errors; the rest are counted.
MAX_REPORTED_ERRORS = 100
CHUNK = 5000


class VersionConflict(Exception):
    """The listing changed since the caller read it."""

    def __init__(self, listing: Listing) -> None:
        super().__init__(f"Listing {listing.pk} is at version {listing.version}.")
        self.listing = listing


@transaction.atomic
@serialised_per_user
def listing_create(
    *,
    owner: User,
    data: Mapping[str, Any],
    source: str = Source.MANUAL,
    extra: Mapping[str, Any] | None = None,
    ocr_scan=None,
    actor: User | None = None,
    batch=None,
    action: str = "listing.create",
) -> Listing:
    """``ocr_scan``, when given, is a scan of ``owner``'s the listing was read from."""
    cleaned = clean_listing(data)
    listing = Listing.objects.create(
        owner=owner,
        source=source,
        extra=dict(extra or {}),
        ocr_scan=ocr_scan,
        warnings=listing_warnings(cleaned),
        **cleaned,
    )
    batch = batch or new_batch()
    audit_record(
        actor=actor or owner,
        action=action,
        obj=listing,
        changes=field_changes({}, snapshot(listing)),
        batch=batch,
    )
    record_undo_step(user=actor or owner, batch=batch, action=action)
    return listing


@transaction.atomic
@serialised_per_user
def listing_update(
    *,
    listing: Listing,
    data: Mapping[str, Any],
    actor: User,
    expected_version: int | None = None,
    action: str = "listing.update",
    batch=None,
) -> Listing:
    """Change some fields of one listing. With ``expected_version`` a stale edit
    raises ``VersionConflict`` instead of overwriting someone else's change."""
    cleaned = clean_listing(data, partial=True)
    locked = listing_for_update(listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    changes = field_changes(locked.field_values(), cleaned)
    if not changes:
        return locked
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.warnings = listing_warnings(locked.field_values())
    locked.version += 1
    locked.save()
    batch = batch or new_batch()
    audit_record(actor=actor, action=action, obj=locked, changes=changes, batch=batch)
    record_undo_step(user=actor, batch=batch, action=action)
    return locked


@transaction.atomic
@serialised_per_user
def listing_delete(*, listing: Listing, actor: User, expected_version: int | None = None, batch=None) -> None:
    locked = listing_for_update(listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    batch = batch or new_batch()
    audit_record(
        actor=actor,
        action="listing.delete",
        obj=locked,
        changes=field_changes(snapshot(locked), dict.fromkeys(SNAPSHOT_FIELDS)),
        batch=batch,
    )
    record_undo_step(user=actor, batch=batch, action="listing.delete")
    locked.delete()


def snapshot(listing: Listing) -> dict[str, Any]:
    return {
        **listing.field_values(),
        "owner": listing.owner_id,
        "source": listing.source,
        "extra": listing.extra,
    }


def record_undo_step(*, user: User | None, batch: uuid.UUID, action: str) -> None:
    """Make ``batch`` the user's newest undoable step. Several calls with one batch
    (a grid saving many cells) stay one step. A new step clears the redo stack."""
    if user is None or not user.pk:
        return
    _, created = UndoStep.objects.get_or_create(user=user, batch=batch, defaults={"action": action})
    if not created:
        return
    UndoStep.objects.filter(user=user, undone=True).delete()
    oldest_forgotten = list(
        UndoStep.objects.filter(user=user).order_by("-id").values_list("id", flat=True)[UNDO_DEPTH:][:1]
    )
    if oldest_forgotten:
        UndoStep.objects.filter(user=user, id__lte=oldest_forgotten[0]).delete()


def _write_rows(
    changed_by_id: Mapping[int, Mapping[str, Any]], rows_by_id: Mapping[int, Mapping[str, Any]]
) -> None:
    """Store new listing values and bump versions, set-based. ``changed_by_id`` holds
    each row's changed fields and warnings; ``rows_by_id`` its full editable values."""
    if not changed_by_id:
        return
    if connection.vendor == "postgresql":
        _write_rows_postgres(rows_by_id)
        return
    # Elsewhere: one UPDATE per distinct set of values, so a bulk change that gives
    # many rows the same value costs a handful of statements.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in changed_by_id.items():
        key = tuple(sorted((name, _hashable(value)) for name, value in values.items()))
        groups[key].append(pk)
    now = timezone.now()
    for key, ids in groups.items():
        values = {name: _unhashable(value) for name, value in key}
        for start in range(0, len(ids), CHUNK):
            Listing.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                **values, version=F("version") + 1, updated_at=now
            )


_POSTGRES_TYPES = {
    "title": "text",
    "price": "numeric",
    "condition": "text",
    "description": "text",
    "category": "text",
    "offer_shipping": "boolean",
}


def _write_rows_postgres(rows_by_id: Mapping[int, Mapping[str, Any]]) -> None:
    """One ``UPDATE ... FROM unnest(arrays)`` per 20,000 rows, each row its own values."""
    meta = Listing._meta
    columns = [meta.get_field(name).column for name in LISTING_FIELDS]
    assignments = ", ".join(f'"{column}" = v."{column}"' for column in columns)
    unnest = ", ".join(
        ["%s::bigint[]", *(f"%s::{_POSTGRES_TYPES[name]}[]" for name in LISTING_FIELDS), "%s::text[]"]
    )
    names = ", ".join(["id", *(f'"{column}"' for column in columns), "warnings"])
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f'UPDATE "{meta.db_table}" AS l SET {assignments}, "warnings" = v."warnings"::jsonb, '  # noqa: S608
        f'"version" = l."version" + 1, "updated_at" = %s '
        f'FROM unnest({unnest}) AS v({names}) WHERE l."id" = v."id"'
    )
    ids = list(rows_by_id)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 20_000):
            chunk = ids[start : start + 20_000]
            arrays = [chunk]
            arrays += [[rows_by_id[pk][name] for pk in chunk] for name in LISTING_FIELDS]
            arrays.append([json.dumps(rows_by_id[pk]["warnings"]) for pk in chunk])
            cursor.execute(sql, [now, *arrays])


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def rows_of(listings: QuerySet[Listing]) -> Iterator[dict[str, Any]]:
    return listings.order_by().values("id", *LISTING_FIELDS, "warnings").iterator(chunk_size=CHUNK)


def rows_by_ids(ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    for start in range(0, len(ids), CHUNK):
        yield from Listing.objects.filter(pk__in=ids[start : start + CHUNK]).values(
            "id", *LISTING_FIELDS, "warnings"
        )


def apply_to_rows(
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: User,
    action: str,
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    batch: uuid.UUID,
) -> int:
    """Apply ``compute(row) -> {field: new cleaned value}`` to every row and audit each
    changed row under ``batch``. A row ``compute`` rejects (``InvalidInput``) fails
    the whole change, reporting every row's errors. Returns how many rows changed."""
    changed_by_id: dict[int, dict[str, Any]] = {}
    rows_by_id: dict[int, dict[str, Any]] = {}
    changes_by_id: list[tuple[int, dict]] = []
    errors: list[FieldError] = []
    for row in rows:
        try:
            updates = compute(row)
        except InvalidInput as exc:
            errors += [FieldError(e.field, f"Listing {row['id']}: {e.message}") for e in exc.errors]
            continue
        changes = field_changes(row, updates)
        if not changes:
            continue
        merged = {**row, **updates}
        if "warnings" not in row or not WARNING_FIELDS.isdisjoint(changes):
            merged["warnings"] = listing_warnings(merged)
        changed_by_id[row["id"]] = {
            **{name: merged[name] for name in changes},
            "warnings": merged["warnings"],
        }
        rows_by_id[row["id"]] = merged
        changes_by_id.append((row["id"], changes))
    if errors:
        extra = len(errors) - MAX_REPORTED_ERRORS
        errors = errors[:MAX_REPORTED_ERRORS]
        if extra > 0:
            errors.append(FieldError("non_field_errors", f"… and {extra} more errors."))
        raise InvalidInput(errors)
    _write_rows(changed_by_id, rows_by_id)
    audit_record_many(
        actor=actor, action=action, object_type=LISTING_TYPE, changes_by_id=changes_by_id, batch=batch
    )
    return len(changes_by_id)


def bulk_change(
    *,
    listings: QuerySet[Listing],
    actor: User,
    action: str,
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
) -> int:
    """Apply ``compute`` to every listing in ``listings`` as one undoable step."""
    batch = new_batch()
    changed = apply_to_rows(rows=rows_of(listings), actor=actor, action=action, compute=compute, batch=batch)
    if changed:
        record_undo_step(user=actor, batch=batch, action=action)
    return changed


def delete_rows(*, rows: Sequence[Mapping[str, Any]], actor: User, action: str, batch: uuid.UUID) -> None:
    """Audit and delete rows given as ``values("id", *SNAPSHOT_FIELDS)``."""
    gone = dict.fromkeys(SNAPSHOT_FIELDS)
    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((row["id"], field_changes(row, gone)) for row in rows),
        batch=batch,
    )
    for start in range(0, len(rows), CHUNK):
        Listing.objects.filter(pk__in=[row["id"] for row in rows[start : start + CHUNK]]).delete()


def create_rows(*, listings: list[Listing], actor: User, action: str, batch: uuid.UUID) -> None:
    """Insert listings (warnings already set) and audit each as created."""
    Listing.objects.bulk_create(listings, batch_size=2000)
    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((listing.pk, field_changes({}, snapshot(listing))) for listing in listings),
        batch=batch,
    )


@transaction.atomic
@serialised_per_user
def listings_create_many(
    *,
    owner: User,
    rows: Iterable[Mapping[str, Any]],
    source: str = Source.MANUAL,
    actor: User | None = None,
    action: str = "listing.create",
) -> list[Listing]:
    """Create listings from already-cleaned field values (see ``clean_listing``)."""
    listings = [Listing(owner=owner, source=source, warnings=listing_warnings(row), **row) for row in rows]
    batch = new_batch()
    create_rows(listings=listings, actor=actor or owner, action=action, batch=batch)
    if listings:
        record_undo_step(user=actor or owner, batch=batch, action=action)
    return listings
