import pytest

from audit.models import AppendOnlyError, AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted(owner):
    entry = audit_record(actor=owner, action="listing.update", object_type="listings.listing", object_id=1)
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "listing.update"


def test_request_facts_are_recorded(client, owner, password):
    client.force_login(owner)
    from audit.context import RequestContext, current_request

    token = current_request.set(
        RequestContext(ip="203.0.113.9", user_agent="pytest", path="/x/", method="PATCH")
    )
    try:
        entry = audit_record(actor=owner, action="probe", object_type="t", object_id=1, changes={"a": [1, 2]})
    finally:
        current_request.reset(token)
    entry.refresh_from_db()
    assert (entry.ip, entry.user_agent, entry.request_path, entry.request_method) == (
        "203.0.113.9",
        "pytest",
        "/x/",
        "PATCH",
    )
    assert entry.changes == {"a": [1, 2]}
