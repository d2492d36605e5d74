"""The audit log in the admin: readable and searchable, never writable."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def entry(owner):
    return audit_record(
        actor=owner,
        action="listing.update",
        object_type="listings.listing",
        object_id=42,
        changes={"price": ["10.00", "12.00"]},
    )


def test_changelist_filters_and_searches(staff_client, entry, other_user):
    audit_record(
        actor=other_user, action="template.create", object_type="listings.listingtemplate", object_id=7
    )
    url = reverse("admin:audit_auditentry_changelist")

    def results(query):
        return list(staff_client.get(f"{url}?{query}").context["cl"].result_list)

    assert results("action__exact=listing.update") == [entry]
    assert results("object_type__exact=listings.listing") == [entry]
    assert results("q=owner%40example") == [entry]
    assert results("q=42") == [entry]
    # The staff member's own log-in is in the log too.
    assert len(results("created_at__gte=2000-01-01")) == 3


def test_detail_is_read_only(staff_client, entry):
    response = staff_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "12.00" in html
    assert 'name="_save"' not in html


def test_add_change_and_delete_are_refused(staff_client, entry):
    add = staff_client.post(reverse("admin:audit_auditentry_add"), {"action": "forged"})
    change = staff_client.post(
        reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "forged"}
    )
    delete = staff_client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    changelist = staff_client.get(reverse("admin:audit_auditentry_changelist")).content.decode()

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert "delete_selected" not in changelist
    assert list(AuditEntry.objects.exclude(action="login")) == [entry]
    assert AuditEntry.objects.get(pk=entry.pk).action == "listing.update"
