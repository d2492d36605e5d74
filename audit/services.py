"""Writing the audit log. Callers run inside their own transaction, so an entry
lands together with the change it describes or not at all."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from audit.context import current_request
from audit.models import AuditEntry, Operation
from marketplace.jsontext import json_bytes
from marketplace.requests import current_request_id

# Values stored as they are (most of a listing's): no conversion to look for.
_PLAIN = frozenset({str, int, bool, float, type(None)})


def json_value(value: Any) -> Any:
    """A value as it is stored in ``changes``: decimals and dates as strings."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return json_value(value)


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself, as ``_jsonable`` would store it: the
    same text without walking every value of a 100,000-entry write in Python."""
    if isinstance(value, Mapping):
        return _jsonable(value)
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value differs."""
    if not before:
        # A created object (an import makes 100,000): every field that has a value.
        # Most values are stored as they are; not calling json_value for those
        # halves the time of this loop.
        created = {}
        for field, new in after.items():
            value = new if type(new) in _PLAIN else json_value(new)
            if value is not None:
                created[field] = [None, value]
        return created
    changes = {}
    for field, new in after.items():
        old = before.get(field)
        if json_value(old) != json_value(new):
            changes[field] = [json_value(old), json_value(new)]
    return changes


def new_batch() -> uuid.UUID:
    return uuid.uuid4()


def _entry(*, actor, action, object_type, object_id, changes, batch) -> AuditEntry:
    context = current_request.get()
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        changes=_jsonable(changes or {}),
        batch=batch,
        ip=context.ip,
        user_agent=context.user_agent,
        request_path=context.path,
        request_method=context.method,
        request_id=current_request_id.get(),
    )


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = None,
    changes: Mapping[str, Any] | None = None,
    batch: uuid.UUID | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    entry = _entry(
        actor=actor, action=action, object_type=object_type, object_id=object_id, changes=changes, batch=batch
    )
    entry.save()
    if batch is None:
        Operation.objects.create(
            actor=entry.actor, action=action, entry=entry, entry_count=1, created_at=entry.created_at
        )
    else:
        _count_in_operation(entry.actor, action, batch, 1, entry.created_at)
    return entry


def _count_in_operation(actor, action: str, batch: uuid.UUID, count: int, created_at: datetime) -> None:
    """Add ``count`` entries to the batch's operation, creating it with the first ones.
    The count is the one column of an operation that changes, so this is SQL of its own
    (an operation is otherwise as append-only as its entries)."""
    table = Operation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (actor_id, action, batch, entry_count, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (batch) DO UPDATE SET entry_count = {table}.entry_count + EXCLUDED.entry_count",
            [
                actor.pk if actor is not None else None,
                action,
                # As the backend stores them (SQLite, for `make run`, has no uuid type).
                Operation._meta.get_field("batch").get_db_prep_value(batch, connection),
                count,
                Operation._meta.get_field("created_at").get_db_prep_value(created_at, connection),
            ],
        )


def audit_record_many(
    *,
    actor,
    action: str,
    object_type: str,
    changes_by_id: Iterable[tuple[Any, Mapping[str, Any]]],
    batch: uuid.UUID,
    batch_size: int = 2000,
) -> int:
    """One entry per object for a bulk operation, written in batches (on
    PostgreSQL with COPY: a 100,000-row bulk edit writes 100,000 entries)."""
    if connection.vendor == "postgresql":
        count = _copy_entries(
            actor=actor, action=action, object_type=object_type, changes_by_id=changes_by_id, batch=batch
        )
    else:
        entries = [
            _entry(actor=actor, action=action, object_type=object_type, object_id=pk, changes=ch, batch=batch)
            for pk, ch in changes_by_id
        ]
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
        count = len(entries)
    if count:
        known_actor = actor if actor is not None and actor.pk else None
        _count_in_operation(known_actor, action, batch, count, timezone.now())
    return count


_COPY_FIELDS = (
    "actor",
    "action",
    "object_type",
    "object_id",
    "changes",
    "batch",
    "ip",
    "user_agent",
    "request_path",
    "request_method",
    "request_id",
    "created_at",
)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_COPY_LINES = 2000


def _copy_text(value: Any) -> str:
    """A value as a field of COPY's text format."""
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _shared_values(*, actor, action: str, object_type: str, batch: uuid.UUID) -> tuple[list, list]:
    """What every entry of one write shares, in ``_COPY_FIELDS`` order: the values
    before its object id and changes, and those after them (the batch, the request,
    the time)."""
    context = current_request.get()
    actor_id = actor.pk if actor is not None and actor.pk else None
    after = [
        batch,
        context.ip,
        context.user_agent,
        context.path,
        context.method,
        current_request_id.get(),
        timezone.now(),
    ]
    return [actor_id, action, object_type], after


def _copy_entries(*, actor, action: str, object_type: str, changes_by_id, batch: uuid.UUID) -> int:
    """The entries as COPY's own text lines, written in batches: only the object id and
    the changes differ from entry to entry, so the rest of a line is escaped once."""
    before, after = _shared_values(actor=actor, action=action, object_type=object_type, batch=batch)
    head = "".join(f"{_copy_text(value)}\t" for value in before)
    tail = "".join(f"\t{_copy_text(value)}" for value in after)
    columns = ", ".join(f'"{AuditEntry._meta.get_field(name).column}"' for name in _COPY_FIELDS)
    count = 0
    lines: list[str] = []
    # Django's cursor wraps psycopg's; COPY is psycopg 3's own API.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{AuditEntry._meta.db_table}" ({columns}) FROM STDIN') as copy,
    ):
        for object_id, changes in changes_by_id:
            text_id = "" if object_id is None else str(object_id)
            # JSON escapes every control character, so a backslash is all COPY could
            # misread in it.
            text = json_bytes(changes or {}, default=_json_default).decode().replace("\\", "\\\\")
            lines.append(f"{head}{text_id if text_id.isdigit() else _copy_text(text_id)}\t{text}{tail}\n")
            if len(lines) == _COPY_LINES:
                copy.write("".join(lines).encode())
                lines.clear()
            count += 1
        if lines:
            copy.write("".join(lines).encode())
    return count


def audit_insert_sql(
    *, actor, action: str, object_type: str, batch: uuid.UUID, source: str
) -> tuple[str, list]:
    """An ``INSERT`` of one entry per row of ``source`` (a relation of the caller's
    statement with columns ``object_id`` text and ``changes`` jsonb, in the shape
    ``field_changes`` gives), stamped as ``audit_record_many`` stamps them: for a
    change PostgreSQL makes set-wise, audited in the same statement. The caller
    counts the entries into their operation (``audit_count_entries``)."""
    before, after = _shared_values(actor=actor, action=action, object_type=object_type, batch=batch)
    columns = ", ".join(f'"{AuditEntry._meta.get_field(name).column}"' for name in _COPY_FIELDS)
    sql = (
        f'INSERT INTO "{AuditEntry._meta.db_table}" ({columns}) '  # noqa: S608 - names from the model
        "SELECT %s, %s, %s, source.object_id, source.changes, %s, %s, %s, %s, %s, %s, %s "
        f"FROM {source} AS source"
    )
    return sql, [*before, *after]


def audit_count_entries(*, actor, action: str, batch: uuid.UUID, count: int) -> None:
    """Count ``count`` entries written by ``audit_insert_sql`` into their operation."""
    if count:
        known_actor = actor if actor is not None and actor.pk else None
        _count_in_operation(known_actor, action, batch, count, timezone.now())


# What a backup keeps of an entry: every column COPY writes but the actor (the
# account it is restored into), and its id.
BACKUP_COLUMNS = ("id", *(field for field in _COPY_FIELDS if field != "actor"))


def audit_restore(
    *, actor, entries: Iterable[Mapping[str, Any]], object_ids: Mapping[str, Mapping[str, str]]
) -> int:
    """Write back ``actor``'s history from a backup, as it was (times, requests, the
    grouping into operations), under new batch ids; ``object_ids`` maps an
    object type's old ids to the ids its objects were restored under. Returns how many."""
    batches: dict[str, uuid.UUID] = {}
    restored: list[AuditEntry] = []
    for row in entries:
        old_batch = str(row["batch"]) if row.get("batch") else None
        object_type = row.get("object_type", "")
        object_id = str(row.get("object_id", ""))
        restored.append(
            AuditEntry(
                actor=actor,
                action=row["action"],
                object_type=object_type,
                object_id=object_ids.get(object_type, {}).get(object_id, object_id),
                changes=row.get("changes") or {},
                batch=batches.setdefault(old_batch, uuid.uuid4()) if old_batch else None,
                ip=row.get("ip"),
                user_agent=row.get("user_agent", ""),
                request_path=row.get("request_path", ""),
                request_method=row.get("request_method", ""),
                request_id=row.get("request_id", ""),
                created_at=_aware(row["created_at"]),
            )
        )
    times = [entry.created_at for entry in restored]
    AuditEntry.objects.bulk_create(restored, batch_size=2000)
    # created_at is auto_now_add: bulk_create stamped "now", so the backup's times go
    # back in by id, the one SQL of this append-only table that edits a row (it is
    # being written, in this transaction, not changed after the fact).
    table = AuditEntry._meta.db_table
    field = AuditEntry._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET created_at = %s WHERE id = %s",  # noqa: S608
            [
                (field.get_db_prep_value(when, connection), entry.pk)
                for entry, when in zip(restored, times, strict=True)
            ],
        )
    first_of_batch: dict[uuid.UUID, tuple[AuditEntry, datetime]] = {}
    counts: dict[uuid.UUID, int] = {}
    operations = []
    for entry, when in zip(restored, times, strict=True):
        if entry.batch is None:
            operations.append(Operation(actor=actor, action=entry.action, entry=entry, created_at=when))
        else:
            first_of_batch.setdefault(entry.batch, (entry, when))
            counts[entry.batch] = counts.get(entry.batch, 0) + 1
    for batch, (entry, when) in first_of_batch.items():
        operations.append(
            Operation(
                actor=actor, action=entry.action, batch=batch, entry_count=counts[batch], created_at=when
            )
        )
    operations.sort(key=lambda operation: operation.created_at)
    Operation.objects.bulk_create(operations, batch_size=2000)
    return len(restored)


def _aware(value: Any) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if timezone.is_aware(when) else timezone.make_aware(when, timezone.get_default_timezone())
