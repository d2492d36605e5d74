from decimal import Decimal

import pytest

from audit.context import RequestContext, current_request
from audit.models import AuditEntry
from audit.services import audit_record_many, new_batch

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
