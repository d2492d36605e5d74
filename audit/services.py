"""Writing the audit log. Callers run inside their own transaction, so an entry
lands together with the change it describes or not at all."""

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from audit.context import current_request
from audit.models import AuditEntry, Operation
from marketplace.requests import current_request_id


def json_value(value: Any) -> Any:
    """A value as it is stored in ``changes``: decimals and dates as strings."""
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


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value differs."""
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


def _copy_entries(*, actor, action: str, object_type: str, changes_by_id, batch: uuid.UUID) -> int:
    context = current_request.get()
    request_id = current_request_id.get()
    actor_id = actor.pk if actor is not None and actor.pk else None
    now = timezone.now()
    columns = ", ".join(f'"{AuditEntry._meta.get_field(name).column}"' for name in _COPY_FIELDS)
    count = 0
    # Django's cursor wraps psycopg's; COPY is psycopg 3's own API.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{AuditEntry._meta.db_table}" ({columns}) FROM STDIN') as copy,
    ):
        for object_id, changes in changes_by_id:
            copy.write_row(
                (
                    actor_id,
                    action,
                    object_type,
                    str(object_id) if object_id is not None else "",
                    json.dumps(_jsonable(changes or {})),
                    batch,
                    context.ip,
                    context.user_agent,
                    context.path,
                    context.method,
                    request_id,
                    now,
                )
            )
            count += 1
    return count
