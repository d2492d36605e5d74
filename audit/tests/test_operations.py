"""Operations: entries of one batch (or one lone entry) are one line of history,
paged by id; the backfill builds the same operations for entries already stored."""

import importlib
import uuid

import pytest
from django.db import connection

from audit.models import AuditEntry, Operation
from audit.operations import PAGE_SIZE, operation_page, operations_by
from audit.services import audit_record, audit_record_many, new_batch

pytestmark = pytest.mark.django_db


def test_a_batch_is_one_operation_counting_its_entries(owner):
    batch = new_batch()
    audit_record_many(
        actor=owner,
        action="thing.bulk",
        object_type="things.thing",
        changes_by_id=[(n, {"size": [n, n + 1]}) for n in range(5)],
        batch=batch,
    )
    audit_record(actor=owner, action="thing.bulk", object_type="things.thing", object_id=9, batch=batch)
    audit_record(actor=owner, action="login")

    batched, alone = Operation.objects.filter(actor=owner).order_by("id")
    assert (batched.batch, batched.action, batched.entry_count) == (batch, "thing.bulk", 6)
    assert batched.entry is None
    assert (alone.batch, alone.action, alone.entry_count) == (None, "login", 1)
    assert alone.entry == AuditEntry.objects.get(action="login")


def test_pages_walk_every_operation_once_both_ways(owner, other_user):
    for number in range(PAGE_SIZE * 2 + 7):
        audit_record(actor=owner, action="thing.edit", object_type="things.thing", object_id=number)
    audit_record(actor=other_user, action="thing.edit", object_type="things.thing", object_id=1)
    operations = operations_by(owner, {})

    first = operation_page(operations, {})
    second = operation_page(operations, {"before": first.older})
    third = operation_page(operations, {"before": second.older})
    seen = [op.pk for page in (first, second, third) for op in page.operations]
    assert [len(page.operations) for page in (first, second, third)] == [PAGE_SIZE, PAGE_SIZE, 7]
    assert seen == sorted(seen, reverse=True)
    assert seen == list(Operation.objects.filter(actor=owner).order_by("-id").values_list("pk", flat=True))
    assert first.newer is None and third.older is None
    # Back from the third page: the second again.
    assert operation_page(operations, {"after": third.newer}).operations == second.operations


@pytest.mark.parametrize("bad", ["\u00b2", "\u0661", "-1", "9" * 30, "x"])
def test_a_page_bound_that_is_not_an_id_gives_the_newest_page(owner, bad):
    audit_record(actor=owner, action="thing.edit", object_type="things.thing", object_id=1)
    operations = operations_by(owner, {})

    assert operation_page(operations, {"before": bad}).operations == operation_page(operations, {}).operations
    assert operation_page(operations, {"after": bad}).operations == operation_page(operations, {}).operations


def test_filters_by_object_and_action(owner):
    batch = new_batch()
    audit_record_many(
        actor=owner,
        action="thing.bulk",
        object_type="things.thing",
        changes_by_id=[(1, {}), (2, {})],
        batch=batch,
    )
    audit_record(actor=owner, action="thing.edit", object_type="things.thing", object_id=2)
    audit_record(actor=owner, action="thing.edit", object_type="things.thing", object_id=3)

    assert [op.action for op in operations_by(owner, {"object_id": "2"}).order_by("id")] == [
        "thing.bulk",
        "thing.edit",
    ]
    # Actions nobody registered words for share one kind, "Other changes".
    assert operations_by(owner, {"kind": "other-changes"}).count() == 3
    assert operations_by(owner, {"kind": "no-such-kind"}).count() == 0


def test_backfill_makes_the_operations_of_entries_written_before_them(owner):
    migration = importlib.import_module("audit.migrations.0002_operations")
    batch = uuid.uuid4()
    # Written as before operations existed: entries only.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=owner, action="thing.bulk", object_type="things", object_id=str(n), batch=batch)
            for n in range(3)
        ]
        + [AuditEntry(actor=owner, action="login")]
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    batched, alone = Operation.objects.filter(actor=owner).order_by("id")
    assert (batched.batch, batched.action, batched.entry_count) == (batch, "thing.bulk", 3)
    login = AuditEntry.objects.get(action="login")
    assert (alone.entry, alone.action, alone.entry_count) == (login, "login", 1)
