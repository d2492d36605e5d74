"""The changeset engine: the one write path of listings.

``changes_apply`` applies one user action to many listings at once (create, update
with values or a computed change, delete, and re-create with old ids for undo) in
one transaction: it writes the rows set-based (COPY and ``UPDATE ... FROM unnest``
on PostgreSQL), bumps versions, recomputes warnings only where their inputs changed
(the search text is kept by triggers that fire only when text changes), writes one
audit entry per listing under one batch and records one undo step. Every door (grid,
paste, bulk actions, API, admin, templates, imports, OCR, undo and revert) calls it,
directly or through the small helpers below; ``Listing`` refuses any other write.
"""

import functools
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from audit.services import (
    audit_count_entries,
    audit_insert_sql,
    audit_record_many,
    field_changes,
    new_batch,
)
from listings.concurrency import listing_for_update, serialised_per_user
from listings.fields import LISTING_FIELDS, STORED_FIELDS, Source, Status
from listings.freshness import listings_changed
from listings.models import Listing, UndoStep, engine_writes
from listings.search import DEFER_ROWS, SEARCH_FIELDS, search_indexing_deferred
from listings.signals import listings_written
from listings.skus import sku_holders, sku_key, sku_repeated_message, sku_taken_message
from listings.validation import WARNING_FIELDS, clean_listing, listing_warnings, warnings_sql
from marketplace.errors import FieldError, InvalidInput
from marketplace.jsontext import json_bytes
from marketplace.memory import cycle_collection_paused

LISTING_TYPE = "listings.listing"
# How many changes each user can undo; older steps are forgotten (their audit stays).
UNDO_DEPTH = 100
# A created or deleted listing's audit entry carries these too, so undo and redo
# can bring the whole listing back, not just its editable fields. ``links`` are the
# rows of other apps that point at the listing and that deleting it sets to NULL
# (an OCR candidate's ``listing``): restoring the listing points them back.
SNAPSHOT_FIELDS = (*STORED_FIELDS, "owner", "source", "extra", "ocr_scan")
LINKS = "links"
# A bulk change reports at most this many row errors; the rest are counted.
MAX_REPORTED_ERRORS = 100
CHUNK = 5000
# Rows per COPY or ``UPDATE ... FROM unnest`` statement.
WRITE_CHUNK = 20_000
# On SQLite: past this many distinct sets of values, CASE updates of this many rows.
SQLITE_GROUPS = 10
SQLITE_CHUNK = 500


class VersionConflict(Exception):
    """The listing changed since the caller read it."""

    def __init__(self, listing: Listing) -> None:
        super().__init__(f"Listing {listing.pk} is at version {listing.version}.")
        self.listing = listing


@dataclass(frozen=True)
class NewListing:
    """A listing to create: cleaned field values (see ``clean_listing``) and its
    bookkeeping. ``pk`` re-creates a listing under its old id (undo of a delete)."""

    owner_id: int
    values: Mapping[str, Any]
    source: str = Source.MANUAL
    extra: Mapping[str, Any] = field(default_factory=dict)
    ocr_scan_id: int | None = None
    # Relation label ("ocr.candidate.listing") -> ids of rows to point at this listing.
    links: Mapping[str, Sequence[int]] = field(default_factory=dict)
    warnings: list | None = None
    pk: int | None = None
    # The listing this one copies (a duplicate): apps that keep things per listing
    # (photos) copy theirs, told by ``listings_written``.
    copied_from: int | None = None


@dataclass(frozen=True)
class ChangeResult:
    batch: uuid.UUID
    created: list[int]  # ids of the created listings, in the order given
    updated: int  # listings whose values changed
    deleted: int
    conflicts: list[int]  # listings left alone: not at the version the caller expected


Compute = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@transaction.atomic
@serialised_per_user
@cycle_collection_paused()
def changes_apply(
    *,
    actor: User | None,
    action: str,
    create: Iterable[NewListing] = (),
    update: QuerySet[Listing] | Sequence[int] | Sequence[Mapping[str, Any]] = (),
    compute: Compute | None = None,
    values: Mapping[str, Any] | None = None,
    sql: "SqlChange | None" = None,
    recreate: "Recreate | None" = None,
    delete: QuerySet[Listing] | Sequence[int] = (),
    expected_versions: Mapping[int, int] | None = None,
    skip_conflicts: bool = False,
    lock: bool = False,
    batch: uuid.UUID | None = None,
    undoable: bool = True,
    entry_actions: Mapping[str, str] | None = None,
) -> ChangeResult:
    """Apply one change to many listings as one transaction and one undo step.

    ``update`` (listings, their ids, or rows the caller read and locked) get
    ``compute(row) -> {field: new cleaned value}``; a row ``compute`` rejects with
    ``InvalidInput`` fails the whole change,
    reporting every row's errors; or, the same for every row, ``values`` (cleaned).
    ``sql`` is the same change as SQL (``SqlChange``): on PostgreSQL a change by
    ``values`` or ``sql`` is one statement, rows and audit entries (``_set_postgres``),
    unless the rows are checked (``lock``, ``expected_versions``) or a field is
    checked row by row (``CHECKED_FIELDS``); ``compute`` (or ``values``) is then the
    path taken. ``sql`` with a ``join`` needs no ``update``. ``recreate`` (PostgreSQL)
    brings listings back whole from audit entries (``Recreate``).
    With ``expected_versions`` ({id: version}) a listing
    at another version raises ``VersionConflict`` (or, with ``skip_conflicts``, is
    left alone and reported). ``entry_actions`` may name the audit action of the
    ``create``/``update``/``delete`` entries; by default they carry ``action``.
    ``undoable=False`` is for undo and redo themselves."""
    batch = batch or new_batch()
    actions = {kind: (entry_actions or {}).get(kind, action) for kind in ("create", "update", "delete")}
    # Whose listings the change touches: their cached figures go stale when it commits.
    owners: set[int] = {actor.pk} if actor is not None and actor.pk else set()
    with engine_writes():
        # Deletes first: a SKU an undo gives back may be held by a listing it deletes.
        deleted_ids = _ids(delete)
        deleted = _delete_rows(
            ids=deleted_ids, actor=actor, action=actions["delete"], batch=batch, owners=owners
        )
        conflicts: list[int] = []
        updated = 0
        checked = lock or expected_versions is not None
        if sql is None and values is not None:
            sql = SqlChange.of_values(values)
        if (
            sql is not None
            and not checked
            and (isinstance(update, QuerySet) or sql.join is not None)
            and settable_in_one_statement(sql.fields)
        ):
            updated = _set_postgres(
                listings=update if isinstance(update, QuerySet) else None,
                change=sql,
                actor=actor,
                action=actions["update"],
                batch=batch,
                owners=owners,
            )
            compute = None  # the same change, made
        elif values is not None:
            compute = _same_for_every_row(values)
        if compute is not None:
            # Streamed: a 100,000-row change never holds the rows as read and as changed at once.
            rows = _rows(update, lock=checked)
            if expected_versions is not None:
                rows, conflicts = _check_versions(list(rows), expected_versions, skip_conflicts)
            updated = _update_rows(
                rows=_noting_owners(rows, owners),
                actor=actor,
                action=actions["update"],
                compute=compute,
                batch=batch,
            )
        copied_from: dict[int, int] = {}
        created = _create_rows(
            listings=_noting_owners(create, owners),
            actor=actor,
            action=actions["create"],
            batch=batch,
            copied_from=copied_from,
        )
        if recreate is not None and connection.vendor == "postgresql":
            created += _recreate_postgres(
                recreate=recreate, actor=actor, action=actions["create"], batch=batch, owners=owners
            )
    if created or deleted:
        listings_written.send(
            sender=Listing,
            actor=actor,
            action=action,
            batch=batch,
            created=created,
            deleted=deleted_ids if deleted else [],
            copied_from=copied_from,
        )
    if created or updated or deleted:
        transaction.on_commit(partial(listings_changed, owners))
        if undoable:
            record_undo_step(user=actor, batch=batch, action=action)
    return ChangeResult(batch=batch, created=created, updated=updated, deleted=deleted, conflicts=conflicts)


def _noting_owners(items: Iterable, owners: set[int]) -> Iterator:
    """``items`` (new listings or rows) as they pass, adding their owners to ``owners``."""
    for item in items:
        owner_id = item.owner_id if isinstance(item, NewListing) else item.get("owner_id")
        if owner_id is not None:
            owners.add(owner_id)
        yield item


def _ids(listings: QuerySet[Listing] | Sequence[int]) -> list[int]:
    if isinstance(listings, QuerySet):
        return list(listings.order_by().values_list("id", flat=True))
    return list(listings)


def _rows(
    listings: QuerySet[Listing] | Sequence[int] | Sequence[Mapping[str, Any]], *, lock: bool
) -> Iterator[Mapping[str, Any]]:
    # Not the stored warnings: they are a function of the fields, recomputed when one
    # of their inputs changes, and decoding 100,000 of them costs a second.
    names = ("id", "version", *STORED_FIELDS, "owner_id")
    # A queryset is tested first: its truth value would load every listing as a model.
    if not isinstance(listings, QuerySet):
        if listings and isinstance(listings[0], Mapping):
            # Rows the caller already read (and locked) with these ``names``.
            yield from listings
            return
        for queryset in listings_by_ids(listings):
            yield from (queryset.select_for_update() if lock else queryset).values(*names).iterator(CHUNK)
        return
    queryset = listings.order_by()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    yield from queryset.values(*names).iterator(chunk_size=CHUNK)


def listings_by_ids(ids: Sequence[int]) -> Iterator[QuerySet[Listing]]:
    """The listings with ``ids``: one queryset on PostgreSQL (the ids travel as one
    array parameter, not 100,000 placeholders), ``CHUNK`` ids each elsewhere."""
    if connection.vendor == "postgresql":
        yield Listing.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])).order_by()
        return
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield Listing.objects.filter(pk__in=ids[start : start + CHUNK]).order_by()


def _check_versions(
    rows: list[dict[str, Any]], expected: Mapping[int, int], skip: bool
) -> tuple[list[dict[str, Any]], list[int]]:
    kept, conflicts = [], []
    for row in rows:
        version = expected.get(row["id"])
        if version is None or version == row["version"]:
            kept.append(row)
            continue
        if not skip:
            raise VersionConflict(Listing.objects.get(pk=row["id"]))
        conflicts.append(row["id"])
    return kept, conflicts


def _with_sold_at(updates: Mapping[str, Any], *, before: Mapping[str, Any], now) -> Mapping[str, Any]:
    """``updates`` with ``sold_at`` kept by the status: set when it becomes sold, cleared
    when it leaves sold. An undo or revert that names ``sold_at`` restores it as it was."""
    if "sold_at" in updates or "status" not in updates:
        return updates
    was_sold = before.get("status") == Status.SOLD
    if updates["status"] == Status.SOLD and not was_sold:
        return {**updates, "sold_at": now}
    if updates["status"] != Status.SOLD and before.get("sold_at", now) is not None:
        return {**updates, "sold_at": None}
    return updates


def _updated_sku_clashes(new_skus: Mapping[int, str], old_skus: Mapping[int, str]) -> list[FieldError]:
    """Errors for listings given a SKU (``new_skus``: id -> SKU) that another listing
    of their owner keeps, that two of them take, or that another one gives up in the
    same change (``old_skus``): the database checks each row as it is written, so a
    SKU cannot move between listings within one change."""
    changing = [*new_skus, *(pk for pk in old_skus if pk not in new_skus)]
    owners = dict(Listing.objects.filter(pk__in=changing).values_list("id", "owner_id"))
    freed = {(owners[pk], sku_key(sku)): pk for pk, sku in old_skus.items()}
    by_owner: dict[int, dict[int, str]] = defaultdict(dict)
    for pk, sku in new_skus.items():
        by_owner[owners[pk]][pk] = sku
    errors = []
    for owner_id, skus in by_owner.items():
        first_taker: dict[str, int] = {}
        holders = sku_holders(owner_id, skus.values(), excluding=changing)
        for pk, sku in skus.items():
            key = sku_key(sku)
            giver = freed.get((owner_id, key))
            if key in first_taker:
                message = sku_repeated_message(sku, f"listing {first_taker[key]}")
            elif giver is not None and giver != pk:
                message = (
                    f"The SKU “{sku}” moves from listing {giver} in the same change; clear it there first."
                )
            elif key in holders:
                message = sku_taken_message(sku, holders[key])
            else:
                first_taker[key] = pk
                continue
            errors.append(FieldError("sku", f"Listing {pk}: {message}"))
    return errors


def _update_rows(
    *, rows: Iterable[Mapping[str, Any]], actor: User | None, action: str, compute: Compute, batch: uuid.UUID
) -> int:
    changed: dict[int, dict[str, Any]] = {}  # id -> changed fields (and new warnings)
    merged_by_id: dict[int, dict[str, Any]] = {}  # id -> all editable fields (and new warnings)
    changes_by_id: list[tuple[int, dict]] = []
    errors: list[FieldError] = []
    now = timezone.now()
    new_skus: dict[int, str] = {}  # id -> the SKU it takes
    old_skus: dict[int, str] = {}  # id -> the SKU it gives up
    for row in rows:
        try:
            updates = _with_sold_at(compute(row), before=row, now=now)
        except InvalidInput as exc:
            errors += [FieldError(e.field, f"Listing {row['id']}: {e.message}") for e in exc.errors]
            continue
        changes = field_changes(row, updates)
        if not changes:
            continue
        merged = {**row, **updates}
        values = {name: merged[name] for name in changes}
        if not WARNING_FIELDS.isdisjoint(changes):
            merged["warnings"] = values["warnings"] = listing_warnings(merged)
        else:
            merged.pop("warnings", None)  # a caller's row may carry the stored ones
        changed[row["id"]] = values
        merged_by_id[row["id"]] = merged
        changes_by_id.append((row["id"], changes))
        if "sku" in changes:
            if merged["sku"]:
                new_skus[row["id"]] = merged["sku"]
            if row["sku"]:
                old_skus[row["id"]] = row["sku"]
    if new_skus and not errors:
        errors = _updated_sku_clashes(new_skus, old_skus)
    if errors:
        extra = len(errors) - MAX_REPORTED_ERRORS
        errors = errors[:MAX_REPORTED_ERRORS]
        if extra > 0:
            errors.append(FieldError("non_field_errors", f"… and {extra} more errors."))
        raise InvalidInput(errors)
    if connection.vendor == "postgresql":
        written = {name for values in changed.values() for name in values} - {"warnings"}
        with search_indexing_deferred(len(changed) > DEFER_ROWS and not SEARCH_FIELDS.isdisjoint(written)):
            _update_postgres(merged_by_id, [name for name in STORED_FIELDS if name in written])
    else:
        _update_elsewhere(changed)
    audit_record_many(
        actor=actor, action=action, object_type=LISTING_TYPE, changes_by_id=changes_by_id, batch=batch
    )
    return len(changes_by_id)


def _same_for_every_row(values: Mapping[str, Any]) -> Compute:
    return lambda row: values


# Fields whose changes the engine checks row by row in Python: SKU clashes.
CHECKED_FIELDS = frozenset({"sku"})


@dataclass(frozen=True)
class SqlChange:
    """A change PostgreSQL computes for every row in one statement: for each field the
    SQL of its new value (``{field}`` names the listing's current value of a field,
    ``source`` the row ``join`` adds) with its parameters. ``join`` (SQL and
    parameters) joins each listing to what it gets, e.g. its audit entry on undo; it
    also limits the change to the listings it joins."""

    fields: Mapping[str, tuple[str, Sequence[Any]]]
    join: tuple[str, Sequence[Any]] | None = None

    @classmethod
    def of_values(cls, values: Mapping[str, Any]) -> "SqlChange":
        return cls({name: ("%s", [value]) for name, value in values.items()})


def settable_in_one_statement(values: Iterable[str]) -> bool:
    """Whether a change of the fields ``values`` runs as one statement: on PostgreSQL,
    for fields the engine need not check row by row. Warnings are recomputed by their
    SQL twins (``listings.validation.WARNING_RULES``), the date of a sale by
    ``_sold_at_sql``, the search text by the database's triggers."""
    names = set(values)
    return (
        connection.vendor == "postgresql"
        and bool(names)
        and CHECKED_FIELDS.isdisjoint(names)
        and names <= set(STORED_FIELDS)
    )


def _run_audited(
    sql: str,
    params: list,
    *,
    owners: set[int],
    actor,
    action: str,
    batch: uuid.UUID,
    defer_search: bool = False,
) -> int:
    """Run one set-wise statement that writes listings and their audit entries and ends
    in ``SELECT owner_id, count(*) … GROUP BY owner_id``: note the owners it touched,
    count the entries into the operation, and return how many listings it wrote."""
    with search_indexing_deferred(defer_search), connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = cursor.fetchall()
    owners.update(owner_id for owner_id, _ in counts)
    written = sum(count for _, count in counts)
    audit_count_entries(actor=actor, action=action, batch=batch, count=written)
    return written


def _set_postgres(
    *,
    listings: QuerySet[Listing] | None,
    change: SqlChange,
    actor: User | None,
    action: str,
    batch: uuid.UUID,
    owners: set[int],
) -> int:
    """Apply ``change`` to ``listings`` (or to those ``change.join`` joins) whose values
    differ, recompute their warnings where an input changed, and audit each with the
    old values the statement read, in one statement: no row passes through Python.
    The entries are those ``_update_rows`` writes (only the fields that differ)."""
    meta = Listing._meta
    table = meta.db_table
    current = {name: f'l."{meta.get_field(name).column}"' for name in STORED_FIELDS}
    fields = dict(change.fields)
    if "status" in fields and "sold_at" not in fields:
        fields["sold_at"] = _sold_at_sql(fields["status"], timezone.now())
    news, new_params = [], []
    for name, (sql, params) in fields.items():
        kind = meta.get_field(name).db_type(connection)
        news.append(f'CAST({_with_columns(sql, current)} AS {kind}) AS "new_{name}"')
        new_params += params
    olds = "".join(f', {current[name]} AS "old_{name}"' for name in fields)
    rows, rows_params = _rows_sql(listings, change.join)
    differs = " OR ".join(f'"new_{name}" IS DISTINCT FROM "old_{name}"' for name in fields)
    assignments = ", ".join(f'"{meta.get_field(name).column}" = target."new_{name}"' for name in fields)
    assignment_params: list = []
    if not WARNING_FIELDS.isdisjoint(fields):
        inputs = {
            name: f'target."new_{name}"' if name in fields else current[name] for name in WARNING_FIELDS
        }
        warnings, assignment_params = warnings_sql(inputs, changed=fields, stored='l."warnings"')
        assignments += f', "warnings" = {warnings}'
    changes = " || ".join(_change_sql(name) for name in fields)
    insert, insert_params = audit_insert_sql(
        actor=actor, action=action, object_type=LISTING_TYPE, batch=batch, source="entries"
    )
    many = False
    if not SEARCH_FIELDS.isdisjoint(fields):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {rows}", rows_params)
            many = cursor.fetchone()[0] > DEFER_ROWS
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f"WITH target AS (SELECT * FROM (SELECT l.id, l.owner_id{olds}, {', '.join(news)} {rows}) AS read "  # noqa: S608
        f"WHERE {differs}), "
        f'changed AS (UPDATE "{table}" AS l SET {assignments}, '
        'version = l."version" + 1, "updated_at" = %s '
        "FROM target WHERE l.id = target.id RETURNING target.*), "
        f"entries AS (SELECT target.id::text AS object_id, {changes} AS changes FROM changed AS target), "
        f"audited AS ({insert}) "
        "SELECT owner_id, count(*) FROM changed GROUP BY owner_id"
    )
    params = [*new_params, *rows_params, *assignment_params, timezone.now(), *fields, *insert_params]
    return _run_audited(
        sql, params, owners=owners, actor=actor, action=action, batch=batch, defer_search=many
    )


def _change_sql(name: str) -> str:
    """The audit ``changes`` of one field of a ``target`` row: ``{field: [old, new]}``
    when they differ, else ``{}``; the field's name is a parameter."""
    old, new = f'target."old_{name}"', f'target."new_{name}"'
    return (
        f"CASE WHEN {new} IS DISTINCT FROM {old} THEN jsonb_build_object(%s, "
        f"jsonb_build_array({_json_sql(name, old)}, {_json_sql(name, new)})) ELSE '{{}}'::jsonb END"
    )


_COLUMN_RE = re.compile(r"\{(\w+)\}")


def _with_columns(sql: str, current: Mapping[str, str]) -> str:
    """``sql`` with each ``{field}`` replaced by the listing's column."""
    return _COLUMN_RE.sub(lambda match: current[match.group(1)], sql)


def _rows_sql(listings: QuerySet[Listing] | None, join: tuple[str, Sequence[Any]] | None) -> tuple[str, list]:
    """The ``FROM`` (and ``WHERE``) of the listings a set-based change reads."""
    sql, params = f'FROM "{Listing._meta.db_table}" AS l', []
    if join is not None:
        sql += f" {join[0]}"
        params += join[1]
    if listings is not None:
        selected, selected_params = listings.order_by().values("id").query.sql_with_params()
        sql += f" WHERE l.id IN ({selected})"
        params += selected_params
    return sql, params


def _sold_at_sql(status: tuple[str, Sequence[Any]], now) -> tuple[str, list]:
    """``_with_sold_at`` in SQL: the date of a sale follows a new ``status``."""
    sql, params = status
    return (
        f"CASE WHEN ({sql}) = %s THEN CASE WHEN {{status}} = %s THEN {{sold_at}} ELSE %s END END",
        [*params, Status.SOLD, Status.SOLD, now],
    )


# ``audit.services.json_value`` of a column's value, in SQL.
_ISO = 'YYYY-MM-DD"T"HH24:MI:SS'


def _json_sql(name: str, value: str) -> str:
    field = Listing._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return f"to_jsonb(({value})::text)"
    if isinstance(field, models.DateTimeField):
        # isoformat(): microseconds only when there are some.
        return (
            f"to_jsonb(to_char(({value}) AT TIME ZONE 'UTC', CASE WHEN "
            f"extract(microseconds FROM {value})::bigint %% 1000000 = 0 "
            f"THEN '{_ISO}+00:00' ELSE '{_ISO}.US+00:00' END))"
        )
    return f"to_jsonb({value})"


def _update_elsewhere(changed: Mapping[int, Mapping[str, Any]]) -> None:
    """SQLite (for ``make run``): one UPDATE per distinct set of values when a bulk
    change gives many rows the same values, else CASE updates of ``SQLITE_CHUNK``
    rows each (a paste, an undo: every row its own values)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in changed.items():
        key = tuple(sorted((name, _hashable(value)) for name, value in values.items()))
        groups[key].append(pk)
    now = timezone.now()
    if len(groups) > SQLITE_GROUPS:
        names = sorted({name for values in changed.values() for name in values})
        listings = Listing.objects.in_bulk(list(changed))
        for pk, values in changed.items():
            for name, value in values.items():
                setattr(listings[pk], name, value)
            listings[pk].version = F("version") + 1
            listings[pk].updated_at = now
        Listing.objects.bulk_update(
            listings.values(), [*names, "version", "updated_at"], batch_size=SQLITE_CHUNK
        )
        return
    for key, ids in groups.items():
        values = {name: _unhashable(value) for name, value in key}
        for start in range(0, len(ids), CHUNK):
            Listing.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                **values, version=F("version") + 1, updated_at=now
            )


def _update_postgres(rows_by_id: Mapping[int, Mapping[str, Any]], fields: Sequence[str]) -> None:
    """One ``UPDATE ... FROM unnest(arrays)`` per ``WRITE_CHUNK`` rows, each row its own
    values. Only ``fields`` (those the change touches on any row) travel, and the
    warnings only when some row's were recomputed (the others keep theirs): a
    condition set sends one column, a price adjust does not resend every description."""
    if not rows_by_id:
        return
    meta = Listing._meta
    with_warnings = any("warnings" in row for row in rows_by_id.values())
    columns = [meta.get_field(name).column for name in fields]
    assignments = [f'"{column}" = v."{column}"' for column in columns]
    types = ["bigint", *(meta.get_field(name).db_type(connection) for name in fields)]
    names = ["id", *(f'"{column}"' for column in columns)]
    if with_warnings:
        assignments.append('"warnings" = COALESCE(v."warnings"::jsonb, l."warnings")')
        types.append("text")
        names.append('"warnings"')
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f'UPDATE "{meta.db_table}" AS l SET {", ".join(assignments)}, '  # noqa: S608
        f'"version" = l."version" + 1, "updated_at" = %s '
        f'FROM unnest({unnest}) AS v({", ".join(names)}) WHERE l."id" = v."id"'
    )
    ids = list(rows_by_id)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), WRITE_CHUNK):
            chunk = ids[start : start + WRITE_CHUNK]
            arrays = [chunk]
            arrays += [[rows_by_id[pk][name] for pk in chunk] for name in fields]
            if with_warnings:
                arrays.append([_json_or_none(rows_by_id[pk].get("warnings")) for pk in chunk])
            cursor.execute(sql, [now, *arrays])


def _json_or_none(value: Any) -> str | None:
    """Recomputed warnings as JSON text; ``None`` (kept as stored) as NULL."""
    return None if value is None else json.dumps(value)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# --- links: rows of other apps that point at a listing ---------------------------


def _link_fields() -> list:
    """The foreign keys to ``Listing`` that deleting a listing sets to NULL."""
    from django.db.models import SET_NULL

    return [
        relation.field
        for relation in Listing._meta.related_objects
        if relation.one_to_many and relation.on_delete is SET_NULL
    ]


def _link_label(link_field) -> str:
    return f"{link_field.model._meta.label_lower}.{link_field.name}"


def _links_of(ids: Sequence[int]) -> dict[int, dict[str, list[int]]]:
    """{listing id: {relation label: ids pointing at it}} for ``ids``."""
    links: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for link_field in _link_fields():
        label = _link_label(link_field)
        for start in range(0, len(ids), CHUNK):
            pairs = link_field.model._base_manager.filter(
                **{f"{link_field.attname}__in": ids[start : start + CHUNK]}
            ).values_list(link_field.attname, "pk")
            for listing_id, pk in pairs:
                links[listing_id].setdefault(label, []).append(pk)
    return links


def _relink(listings: Sequence[NewListing], ids: Sequence[int]) -> None:
    """Point the rows named in each listing's ``links`` at it again."""
    by_label: dict[str, dict[int, int]] = defaultdict(dict)
    for listing, pk in zip(listings, ids, strict=True):
        for label, linked in listing.links.items():
            for linked_pk in linked:
                by_label[label][linked_pk] = pk
    for link_field in _link_fields():
        targets = by_label.get(_link_label(link_field))
        if not targets:
            continue
        linked_ids = list(targets)
        for start in range(0, len(linked_ids), 1000):
            chunk = linked_ids[start : start + 1000]
            # Rows deleted since (a scan deleted with its candidates) are simply not found.
            link_field.model._base_manager.filter(pk__in=chunk).update(
                **{
                    link_field.attname: Case(
                        *(When(pk=linked_pk, then=Value(targets[linked_pk])) for linked_pk in chunk),
                        output_field=IntegerField(),
                    )
                }
            )


# --- create and delete ---------------------------------------------------------


def _new_snapshot(listing: NewListing) -> dict[str, Any]:
    state = {
        **listing.values,
        "owner": listing.owner_id,
        "source": listing.source,
        "extra": dict(listing.extra),
        "ocr_scan": listing.ocr_scan_id,
    }
    if listing.links:
        state[LINKS] = {label: list(ids) for label, ids in listing.links.items()}
    return state


def _create_rows(
    *,
    listings: Iterable[NewListing],
    actor: User | None,
    action: str,
    batch: uuid.UUID,
    copied_from: dict[int, int],
) -> list[int]:
    """Insert listings ``WRITE_CHUNK`` at a time (COPY on PostgreSQL, with ids drawn
    from the sequence first) and audit each as created; fills ``copied_from`` with
    {new id: source id} for the copies among them."""
    created: list[int] = []
    iterator = iter(listings)
    now = timezone.now()
    chunk = list(islice(iterator, WRITE_CHUNK))
    with search_indexing_deferred(len(chunk) > DEFER_ROWS):
        while chunk:
            chunk = _with_existing_scans([_completed(listing, now) for listing in chunk])
            if errors := _created_sku_clashes(chunk, offset=len(created)):
                raise InvalidInput(errors[:MAX_REPORTED_ERRORS])
            ids = _create_chunk(chunk, actor=actor, action=action, batch=batch)
            copied_from.update(
                (pk, listing.copied_from)
                for listing, pk in zip(chunk, ids, strict=True)
                if listing.copied_from is not None
            )
            created += ids
            chunk = list(islice(iterator, WRITE_CHUNK))
    return created


@functools.cache
def _create_defaults() -> dict[str, Any]:
    return {name: Listing._meta.get_field(name).get_default() for name in LISTING_FIELDS}


def _completed(listing: NewListing, now) -> NewListing:
    """``listing`` with a value for every stored field: the model's default for a field
    left out, and ``sold_at`` by the status unless given (a restore gives it)."""
    values = {**_create_defaults(), **listing.values}
    if "sold_at" not in values:
        values["sold_at"] = now if values["status"] == Status.SOLD else None
    return NewListing(**{**listing.__dict__, "values": values})


def _created_sku_clashes(chunk: Sequence[NewListing], *, offset: int) -> list[FieldError]:
    """Errors for new listings (``index`` their place in the change) given a SKU a
    listing of their owner holds, one made earlier in this change included, or one an
    earlier new listing of this chunk takes."""
    by_owner: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for index, listing in enumerate(chunk, start=offset):
        if sku := listing.values["sku"]:
            by_owner[listing.owner_id].append((index, sku))
    errors = []
    for owner_id, skus in by_owner.items():
        holders = sku_holders(owner_id, (sku for _, sku in skus))
        first_taker: dict[str, int] = {}
        for index, sku in skus:
            key = sku_key(sku)
            if key in holders:
                message = sku_taken_message(sku, holders[key])
            elif key in first_taker:
                message = sku_repeated_message(sku, f"new listing {first_taker[key] + 1} of this change")
            else:
                first_taker[key] = index
                continue
            errors.append(FieldError("sku", message, index=index))
    return errors


def _create_chunk(chunk: list[NewListing], *, actor: User | None, action: str, batch: uuid.UUID) -> list[int]:
    if connection.vendor == "postgresql":
        ids = _copy_listings(chunk)
    else:
        objects = [_model_of(listing) for listing in chunk]
        Listing.objects.bulk_create(objects, batch_size=2000)
        ids = [listing.pk for listing in objects]
    _relink(chunk, ids)
    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=(
            (pk, field_changes({}, _new_snapshot(listing))) for listing, pk in zip(chunk, ids, strict=True)
        ),
        batch=batch,
    )
    return ids


def _with_existing_scans(chunk: list[NewListing]) -> list[NewListing]:
    """Drop links to scans deleted since (a listing restored after its scan went)."""
    scan_ids = {listing.ocr_scan_id for listing in chunk if listing.ocr_scan_id is not None}
    if not scan_ids:
        return chunk
    scan_model = Listing._meta.get_field("ocr_scan").related_model
    existing = set(scan_model._base_manager.filter(pk__in=scan_ids).values_list("pk", flat=True))
    if existing == scan_ids:
        return chunk
    return [
        listing
        if listing.ocr_scan_id is None or listing.ocr_scan_id in existing
        else NewListing(**{**listing.__dict__, "ocr_scan_id": None})
        for listing in chunk
    ]


def _warnings(listing: NewListing) -> list:
    return listing.warnings if listing.warnings is not None else listing_warnings(listing.values)


def _model_of(listing: NewListing) -> Listing:
    return Listing(
        pk=listing.pk,
        owner_id=listing.owner_id,
        source=listing.source,
        extra=dict(listing.extra),
        ocr_scan_id=listing.ocr_scan_id,
        warnings=_warnings(listing),
        **listing.values,
    )


def _copy_listings(chunk: Sequence[NewListing]) -> list[int]:
    meta = Listing._meta
    fresh = sum(1 for listing in chunk if listing.pk is None)
    new_ids: Iterator[int] = iter(())
    if fresh:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [meta.db_table, fresh],
            )
            new_ids = iter(row[0] for row in cursor.fetchall())
    ids = [listing.pk if listing.pk is not None else next(new_ids) for listing in chunk]
    names = ("id", "owner", *STORED_FIELDS, "extra", "warnings", "source", "ocr_scan", "version")
    columns = ", ".join(f'"{meta.get_field(name).column}"' for name in (*names, "created_at", "updated_at"))
    now = timezone.now()
    # Identifiers come from the model, values travel in the COPY stream.
    statement = f'COPY "{meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for listing, pk in zip(chunk, ids, strict=True):
            values = listing.values
            copy.write_row(
                (
                    pk,
                    listing.owner_id,
                    *(values[name] for name in STORED_FIELDS),
                    _json_text(listing.extra, "{}"),
                    _json_text(_warnings(listing), "[]"),
                    listing.source,
                    listing.ocr_scan_id,
                    1,
                    now,
                    now,
                )
            )
    return ids


def _json_text(value: Any, empty: str) -> str:
    # Most new listings have no extra columns and no warnings: no encoder for those.
    return json_bytes(dict(value) if isinstance(value, Mapping) else value).decode() if value else empty


def _snapshot_sql(row: str, links: str | None) -> str:
    """SQL of the audit ``changes`` of a listing ``row`` (an alias) deleted or
    re-created: ``{field: [value, null]}`` for every ``SNAPSHOT_FIELDS`` value that is
    not null, and its ``links`` (SQL of a jsonb object, or NULL) when it has some.
    The field names are parameters: ``SNAPSHOT_FIELDS``, then ``LINKS``."""
    state = ", ".join(f"%s, {_json_sql(name, row + '.' + _column(name))}" for name in SNAPSHOT_FIELDS)
    links_part = f" || CASE WHEN {links} IS NULL THEN '{{}}'::jsonb ELSE jsonb_build_object(%s, {links}) END"
    return f"(jsonb_build_object({state}){links_part if links else ''})"


def _column(name: str) -> str:
    return connection.ops.quote_name(Listing._meta.get_field(name).column)


def _links_sql(row: str) -> tuple[str, list]:
    """SQL of a jsonb object {relation label: [ids of the rows pointing at ``row``]}
    for the listing ``row``, NULL when nothing points at it (``_links_of`` in SQL)."""
    parts, params = [], []
    for link_field in _link_fields():
        model = link_field.model._meta
        pk = connection.ops.quote_name(model.pk.column)
        parts.append(
            f"%s, (SELECT jsonb_agg(x.{pk} ORDER BY x.{pk}) "  # noqa: S608 - names from the models
            f"FROM {connection.ops.quote_name(model.db_table)} AS x "
            f"WHERE x.{connection.ops.quote_name(link_field.column)} = {row}.id)"
        )
        params.append(_link_label(link_field))
    if not parts:
        return "NULL::jsonb", []
    return (
        f"(SELECT jsonb_object_agg(key, value) FROM jsonb_each(jsonb_build_object({', '.join(parts)})) "  # noqa: S608
        "WHERE value <> 'null'::jsonb)",
        params,
    )


def _delete_postgres(
    *, ids: Sequence[int], actor: User | None, action: str, batch: uuid.UUID, owners: set[int]
) -> int:
    """``_delete_rows`` in one statement: delete the listings, audit each with its
    whole state and links (read before the statement, as every part of it reads),
    and set the links to NULL; no row passes through Python."""
    table = connection.ops.quote_name(Listing._meta.db_table)
    links, links_params = _links_sql("gone")
    snapshot = _snapshot_sql("gone", "gone.links")
    insert, insert_params = audit_insert_sql(
        actor=actor, action=action, object_type=LISTING_TYPE, batch=batch, source="entries"
    )
    unlinks = "".join(
        f", unlinked_{index} AS (UPDATE {connection.ops.quote_name(link_field.model._meta.db_table)} "  # noqa: S608
        f"SET {connection.ops.quote_name(link_field.column)} = NULL "
        f"WHERE {connection.ops.quote_name(link_field.column)} IN (SELECT id FROM gone))"
        for index, link_field in enumerate(_link_fields())
    )
    # Identifiers come from the models; every value is a parameter.
    sql = (
        f"WITH gone AS (DELETE FROM {table} AS l WHERE l.id = ANY(%s::bigint[]) RETURNING l.*), "  # noqa: S608
        f"linked AS (SELECT gone.*, {links} AS links FROM gone), "
        "entries AS (SELECT gone.id::text AS object_id, "
        "(SELECT jsonb_object_agg(key, jsonb_build_array(value, NULL)) "
        f"FROM jsonb_each({snapshot}) WHERE value <> 'null'::jsonb) AS changes FROM linked AS gone), "
        f"audited AS ({insert}){unlinks} "
        "SELECT owner_id, count(*) FROM gone GROUP BY owner_id"
    )
    params = [list(ids), *links_params, *SNAPSHOT_FIELDS, LINKS, *insert_params]
    return _run_audited(sql, params, owners=owners, actor=actor, action=action, batch=batch)


@dataclass(frozen=True)
class Recreate:
    """Listings to bring back whole, set-based, from the states their audit entries
    hold (an undo of a delete, a redo of a create): ``entries`` is SQL (and its
    parameters) of rows ``(id bigint, changes jsonb)``, ``side`` which side of each
    ``[before, after]`` pair holds the listing (0 or 1). None of the ids may exist and
    no SKU among them may be taken (the caller checks both, ``_recreate_postgres``
    trusts them)."""

    entries: tuple[str, Sequence[Any]]
    side: int
    defer_search: bool = False


def _recreate_postgres(
    *, recreate: Recreate, actor: User | None, action: str, batch: uuid.UUID, owners: set[int]
) -> list[int]:
    """Insert the listings ``recreate`` names with their old ids, warnings by their SQL
    twins, the scan they were read from if it still exists, version 1, audit each as
    created and point their links back at them, in one statement. Returns their ids."""
    meta = Listing._meta
    table = connection.ops.quote_name(meta.db_table)
    side = recreate.side
    defaults = {**_create_defaults(), "sold_at": None}

    def recorded(name: str) -> tuple[str, list]:
        kind = meta.get_field(name).db_type(connection)
        value = f"(source.changes -> %s ->> {side})::{kind}"
        if name == "extra":
            return f"coalesce(source.changes -> %s -> {side}, '{{}}'::jsonb)", [name]
        if defaults.get(name) is not None:
            return f"coalesce({value}, %s::{kind})", [name, defaults[name]]
        return value, [name]

    values, params = {}, []
    for name in STORED_FIELDS:
        values[name], field_params = recorded(name)
        params += field_params
    owner, _ = recorded("owner")
    values["owner"] = f"coalesce({owner}, %s)"
    params += ["owner", actor.pk if actor is not None else None]
    kind, _ = recorded("source")
    values["source"] = f"coalesce({kind}, %s)"
    params += ["source", Source.MANUAL]
    values["extra"], extra_params = recorded("extra")
    params += extra_params
    scan_model = meta.get_field("ocr_scan").related_model._meta
    scan, _ = recorded("ocr_scan")
    values["ocr_scan"] = (
        f"(SELECT s.{connection.ops.quote_name(scan_model.pk.column)} "  # noqa: S608 - names from the models
        f"FROM {connection.ops.quote_name(scan_model.db_table)} AS s "
        f"WHERE s.{connection.ops.quote_name(scan_model.pk.column)} = {scan})"
    )
    params.append("ocr_scan")
    read = ", ".join(f'{values[name]} AS "{name}"' for name in values)
    warnings, warnings_params = warnings_sql(
        {name: f'read."{name}"' for name in WARNING_FIELDS}, changed=WARNING_FIELDS, stored="NULL::jsonb"
    )
    names = ("owner", *STORED_FIELDS, "extra", "source", "ocr_scan")
    columns = ", ".join(
        _column(name) for name in ("id", *names, "warnings", "version", "created_at", "updated_at")
    )
    links = f"source.changes -> %s -> {side}"
    snapshot = _snapshot_sql("born", "born.links")
    insert, insert_params = audit_insert_sql(
        actor=actor, action=action, object_type=LISTING_TYPE, batch=batch, source="entries"
    )
    relinks, relink_params = "", []
    for index, link_field in enumerate(_link_fields()):
        linked = link_field.model._meta
        relinks += (
            f", relinked_{index} AS (UPDATE {connection.ops.quote_name(linked.db_table)} AS x "  # noqa: S608
            f"SET {connection.ops.quote_name(link_field.column)} = pointed.id FROM ("
            "SELECT born.id, jsonb_array_elements_text(born.links -> %s)::bigint AS linked FROM born "
            f"WHERE born.links IS NOT NULL) AS pointed WHERE x.{connection.ops.quote_name(linked.pk.column)} "
            "= pointed.linked)"
        )
        relink_params.append(_link_label(link_field))
    entries_sql, entries_params = recreate.entries
    now = timezone.now()
    # Identifiers come from the models; every value is a parameter.
    sql = (
        f"WITH source AS ({entries_sql}), "  # noqa: S608
        f"read AS (SELECT source.id, {read}, {links} AS links FROM source), "
        f"inserted AS (INSERT INTO {table} ({columns}) "
        f"SELECT read.id, {', '.join(f'read.{connection.ops.quote_name(name)}' for name in names)}, "
        f"{warnings}, 1, %s, %s FROM read RETURNING *), "
        "born AS (SELECT inserted.*, read.links FROM inserted JOIN read ON read.id = inserted.id), "
        "entries AS (SELECT born.id::text AS object_id, "
        "(SELECT jsonb_object_agg(key, jsonb_build_array(NULL, value)) "
        f"FROM jsonb_each({snapshot}) WHERE value <> 'null'::jsonb) AS changes FROM born), "
        f"audited AS ({insert}){relinks} "
        "SELECT id, owner_id FROM born ORDER BY id"
    )
    all_params = [
        *entries_params,
        *params,
        LINKS,
        *warnings_params,
        now,
        now,
        *SNAPSHOT_FIELDS,
        LINKS,
        *insert_params,
        *relink_params,
    ]
    with search_indexing_deferred(recreate.defer_search), connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = cursor.fetchall()
    owners.update(owner_id for _, owner_id in rows)
    audit_count_entries(actor=actor, action=action, batch=batch, count=len(rows))
    return [pk for pk, _ in rows]


def _delete_rows(
    *, ids: Sequence[int], actor: User | None, action: str, batch: uuid.UUID, owners: set[int]
) -> int:
    """Audit each listing with its whole state (and what points at it), then delete;
    their owners are added to ``owners``."""
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        return _delete_postgres(ids=ids, actor=actor, action=action, batch=batch, owners=owners)
    links = _links_of(ids)
    rows = []
    for queryset in listings_by_ids(ids):
        rows += queryset.values("id", *SNAPSHOT_FIELDS)
    owners.update(row["owner"] for row in rows)

    def gone(row: dict[str, Any]) -> dict[str, list]:
        before = {name: row[name] for name in SNAPSHOT_FIELDS}
        if row["id"] in links:
            before[LINKS] = links[row["id"]]
        return field_changes(before, dict.fromkeys(before))

    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((row["id"], gone(row)) for row in rows),
        batch=batch,
    )
    # Deleting sets the links to NULL in the database's own way (Django's collector
    # would load every listing first): clear them, then one DELETE per chunk.
    for link_field in _link_fields():
        for start in range(0, len(ids), CHUNK):
            link_field.model._base_manager.filter(
                **{f"{link_field.attname}__in": ids[start : start + CHUNK]}
            ).update(**{link_field.attname: None})
    table = connection.ops.quote_name(Listing._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", chunk)  # noqa: S608
    return len(rows)


# --- undo steps ------------------------------------------------------------------


def record_undo_step(*, user: User | None, batch: uuid.UUID, action: str) -> None:
    """Make ``batch`` the user's newest undoable step. Several calls with one batch
    (an import writing its listings, then its summary) stay one step. A new step
    clears the redo stack."""
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


# --- the single-listing doors and other shorthands --------------------------------


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
    action: str = "listing.create",
    batch: uuid.UUID | None = None,
) -> Listing:
    """Create one listing from raw input. Calls sharing a ``batch`` are one undo step
    (the rows of one admin import). ``ocr_scan``, when given, is a scan of ``owner``'s
    the listing was read from."""
    result = changes_apply(
        actor=actor or owner,
        action=action,
        create=[
            NewListing(
                owner_id=owner.pk,
                values=clean_listing(data),
                source=source,
                extra=dict(extra or {}),
                ocr_scan_id=ocr_scan.pk if ocr_scan is not None else None,
            )
        ],
        batch=batch,
    )
    return Listing.objects.get(pk=result.created[0])


@transaction.atomic
@serialised_per_user
def listing_update(
    *,
    listing: Listing,
    data: Mapping[str, Any],
    actor: User,
    expected_version: int | None = None,
    action: str = "listing.update",
    batch: uuid.UUID | None = None,
) -> Listing:
    """Change some fields of one listing. With ``expected_version`` a stale edit
    raises ``VersionConflict`` instead of overwriting someone else's change."""
    cleaned = clean_listing(data, partial=True)
    listing_for_update(listing.pk)  # a listing deleted meanwhile is ListingGone, a 404
    changes_apply(
        actor=actor,
        action=action,
        batch=batch,
        update=[listing.pk],
        compute=lambda row: cleaned,
        expected_versions=None if expected_version is None else {listing.pk: expected_version},
        lock=True,
    )
    return Listing.objects.get(pk=listing.pk)


@transaction.atomic
@serialised_per_user
def listing_delete(*, listing: Listing, actor: User, expected_version: int | None = None) -> None:
    locked = listing_for_update(listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    changes_apply(actor=actor, action="listing.delete", delete=[listing.pk])


def bulk_change(*, listings: QuerySet[Listing], actor: User, action: str, compute: Compute) -> int:
    """Apply ``compute`` to every listing in ``listings`` as one undoable step."""
    return changes_apply(actor=actor, action=action, update=listings, compute=compute).updated


@transaction.atomic
@serialised_per_user
def listings_create_many(
    *,
    owner: User,
    rows: Iterable[Mapping[str, Any]],
    source: str = Source.MANUAL,
    actor: User | None = None,
    action: str = "listing.create",
) -> list[int]:
    """Create listings from already-cleaned field values (see ``clean_listing``);
    fields left out take the model's defaults. Returns their ids."""
    defaults = {name: Listing._meta.get_field(name).get_default() for name in LISTING_FIELDS}
    create = (NewListing(owner_id=owner.pk, values={**defaults, **row}, source=source) for row in rows)
    return changes_apply(actor=actor or owner, action=action, create=create).created
