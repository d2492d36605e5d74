"""The history page's reads: a user's operations, newest first, in pages of a fixed
size walked by id (keyset: every page is an index range, however long the log), each
told in words with the titles of the first objects it touched."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from audit import words
from audit.models import AuditEntry, Operation
from audit.selectors import action_filter
from marketplace.input import whole_number

PAGE_SIZE = 50
# Titles named on an operation's line; the rest are behind "…" and its details.
EXAMPLES = 3
# Entries shown when an operation is opened; a bulk edit of thousands says how many more.
DETAIL_ENTRIES = 200


def operations_by(user, filters: Mapping[str, Any]) -> QuerySet[Operation]:
    """What ``user`` did, narrowed by ``AuditFilterSerializer``'s validated filters (the
    ones ``/api/audit/`` reads): kind or action, the object touched, dates."""
    operations = Operation.objects.filter(action_filter(user, filters, Operation), actor=user)
    object_type = (filters.get("object_type") or "").strip()
    object_id = (filters.get("object_id") or "").strip()
    if object_type or object_id:
        touching = AuditEntry.objects.filter(actor=user)
        if object_type:
            touching = touching.filter(object_type=object_type)
        if object_id:
            touching = touching.filter(object_id=object_id)
        operations = operations.filter(
            Q(batch__in=touching.filter(batch__isnull=False).values("batch"))
            | Q(entry__in=touching.filter(batch__isnull=True).values("id"))
        )
    if filters.get("date_from"):
        operations = operations.filter(created_at__gte=filters["date_from"])
    if filters.get("date_to"):
        operations = operations.filter(created_at__lte=filters["date_to"])
    return operations


def _actions_by(user) -> list[str]:
    return list(Operation.objects.filter(actor=user).order_by().values_list("action", flat=True).distinct())


def operation_kinds(user) -> list[tuple[str, str]]:
    """``(kind, label)`` for each kind of action the user has done, once per label
    (several actions read the same, e.g. an edit and a bulk edit), in label order:
    the Action filter's options."""
    kinds = {words.kind_of(action): words.action_label(action) for action in _actions_by(user)}
    return sorted(kinds.items(), key=lambda kind: kind[1])


@dataclass(frozen=True)
class OperationPage:
    operations: list[Operation]
    newer: int | None  # ``after`` for the newer page, if there is one
    older: int | None  # ``before`` for the older page, if there is one


def operation_page(operations: QuerySet[Operation], params: Mapping[str, Any]) -> OperationPage:
    """The page of ``operations`` just older than ``before`` or just newer than
    ``after`` (ids), else the newest."""
    before, after = whole_number(params.get("before")), whole_number(params.get("after"))
    if after is not None and before is None:
        rows = list(operations.filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
        has_newer = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        has_older = bool(rows)
    else:
        chosen = operations.filter(id__lt=before) if before is not None else operations
        rows = list(chosen.order_by("-id")[: PAGE_SIZE + 1])
        has_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_newer = before is not None and operations.filter(id__gte=before).exists()
    return OperationPage(
        operations=rows,
        newer=rows[0].pk if rows and has_newer else None,
        older=rows[-1].pk if rows and has_older else None,
    )


def _first_entries(operations: Sequence[Operation], count: int) -> dict[int, list[AuditEntry]]:
    """The first ``count`` entries of each operation, in two queries whatever the
    size of the batches (each is an index lookup on ``(batch, id)``)."""
    batched = [operation.pk for operation in operations if operation.batch]
    firsts = {
        f"first_{n}": Subquery(
            AuditEntry.objects.filter(batch=OuterRef("batch")).order_by("id").values("id")[n : n + 1]
        )
        for n in range(count)
    }
    ids_by_operation: dict[int, list[int]] = {
        operation.pk: [operation.entry_id] for operation in operations if operation.entry_id
    }
    for row in Operation.objects.filter(pk__in=batched).annotate(**firsts).values("pk", *firsts):
        ids_by_operation[row["pk"]] = [row[name] for name in firsts if row[name] is not None]
    entries = AuditEntry.objects.in_bulk([pk for ids in ids_by_operation.values() for pk in ids])
    return {pk: [entries[i] for i in ids if i in entries] for pk, ids in ids_by_operation.items()}


@dataclass(frozen=True)
class OperationLine:
    operation: Operation
    text: str  # after "You": "changed the price of 3 listings (−10 %)"
    examples: list[words.Link]
    more: bool  # it touched more objects than the examples name
    undo_url: str | None


def operation_lines(user, operations: Sequence[Operation]) -> list[OperationLine]:
    """Each operation in words, with the titles of the first objects it touched."""
    samples = _first_entries(operations, EXAMPLES)
    links = words.titles(user, [entry for sample in samples.values() for entry in sample])
    undo = words.undo_addresses(user, [operation.batch for operation in operations if operation.batch])
    lines = []
    for operation in operations:
        sample = samples.get(operation.pk, [])
        facts = words.OperationFacts(action=operation.action, count=operation.entry_count, sample=sample)
        examples = [
            links[(entry.object_type, entry.object_id)]
            for entry in sample
            if (entry.object_type, entry.object_id) in links
        ]
        lines.append(
            OperationLine(
                operation=operation,
                text=words.headline(facts),
                examples=examples,
                more=bool(examples) and operation.entry_count > len(examples),
                undo_url=undo.get(operation.batch),
            )
        )
    return lines


def operation_get_for_user(user, pk: Any) -> Operation:
    """One of the user's operations, or 404."""
    return get_object_or_404(Operation, pk=pk, actor=user)


@dataclass(frozen=True)
class EntryDetail:
    link: words.Link | None
    lines: list[words.ChangeLine]


@dataclass(frozen=True)
class OperationDetails:
    entries: list[EntryDetail]
    hidden: int  # entries past DETAIL_ENTRIES


def operation_details(user, operation: Operation) -> OperationDetails:
    """The operation's first entries, each as its object's title and its field changes."""
    if operation.batch:
        entries = list(AuditEntry.objects.filter(batch=operation.batch).order_by("id")[:DETAIL_ENTRIES])
    else:
        entries = list(AuditEntry.objects.filter(pk=operation.entry_id))
    shown = len(entries)
    entries = [part for entry in entries for part in words.expanded(entry)]
    links = words.titles(user, entries)
    details = [
        EntryDetail(link=links.get((entry.object_type, entry.object_id)), lines=words.change_lines(entry))
        for entry in entries
    ]
    return OperationDetails(
        entries=[detail for detail in details if detail.link or detail.lines],
        hidden=max(operation.entry_count - shown, 0),
    )
