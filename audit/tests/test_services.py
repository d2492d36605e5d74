from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audit.context import RequestContext, current_request
from audit.models import AuditEntry
from audit.services import audit_record_many, field_changes, new_batch

pytestmark = pytest.mark.django_db


def test_audit_record_many_writes_every_entry_with_the_request_context(owner):
    batch = new_batch()
    token = current_request.set(
        RequestContext(ip="203.0.113.9", user_agent="bench", path="/api/x/", method="PATCH")
    )
    try:
        written = audit_record_many(
            actor=owner,
            action="listing.bulk_set",
            object_type="listings.listing",
            changes_by_id=((pk, {"price": [Decimal("1.5"), Decimal("2")]}) for pk in range(1, 2501)),
            batch=batch,
        )
    finally:
        current_request.reset(token)
    assert written == 2500
    entries = AuditEntry.objects.filter(batch=batch)
    assert entries.count() == 2500
    entry = entries.get(object_id="7")
    assert (entry.actor, entry.action, entry.ip, entry.request_method) == (
        owner,
        "listing.bulk_set",
        "203.0.113.9",
        "PATCH",
    )
    assert entry.changes == {"price": ["1.50", "2.00"]}
    assert entry.created_at is not None


def test_audit_record_many_keeps_tabs_newlines_and_backslashes_in_every_column(owner):
    """The entries go to COPY as its own text lines: what its format gives a meaning to
    (tab, newline, carriage return, backslash, \\N) is stored as it was sent."""
    batch = new_batch()
    awkward = 'a\tb\nc\rd\\e \\N "f"'
    token = current_request.set(
        RequestContext(ip=None, user_agent=awkward, path=f"/{awkward}", method="POST")
    )
    try:
        audit_record_many(
            actor=None,
            action="listing.import",
            object_type="listings.listing",
            changes_by_id=[
                (5, {"title": [None, awkward], "extra": [None, {awkward: awkward}]}),
                (awkward, {}),
            ],
            batch=batch,
        )
    finally:
        current_request.reset(token)
    entry = AuditEntry.objects.get(batch=batch, object_id="5")
    assert entry.changes == {"title": [None, awkward], "extra": [None, {awkward: awkward}]}
    assert (entry.actor, entry.ip, entry.user_agent, entry.request_path) == (
        None,
        None,
        awkward,
        f"/{awkward}",
    )
    assert AuditEntry.objects.get(batch=batch, object_id=awkward).changes == {}


def test_a_created_objects_changes_are_its_values_as_stored_without_the_empty_ones(owner):
    sold = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    created = field_changes(
        {},
        {
            "title": "Oak chair",
            "price": Decimal("12.5"),
            "sold_at": sold,
            "owner": owner,
            "offer_shipping": False,
            "sku": "",
            "extra": {},
            "ocr_scan": None,
        },
    )
    assert created == {
        "title": [None, "Oak chair"],
        "price": [None, "12.50"],
        "sold_at": [None, "2026-12-04T09:30:00+00:00"],
        "owner": [None, owner.pk],
        "offer_shipping": [None, False],
        "sku": [None, ""],
        "extra": [None, {}],
    }
