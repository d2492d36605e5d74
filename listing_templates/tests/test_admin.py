"""The listing and template admin, driven through the test client as a staff user:
every write must go through listings.services (validated, versioned, audited)."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from listing_templates.models import ListingTemplate
from listings.tests.admin_actions import audit_for, messages_of, run_action
from listings.tests.factories import ListingFactory, ListingTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("mode", "expected_title"), [("fill_empty", "Kept title"), ("overwrite", "From template")]
)
def test_apply_template(staff_client, staff, owner, mode, expected_title):
    template = ListingTemplateFactory(
        owner=owner, defaults={"title": "From template", "description": "Smoke-free home"}
    )
    listing = ListingFactory(owner=owner, title="Kept title", description="")

    page, done = run_action(
        staff_client, "apply_template", [listing], {"template": template.pk, "mode": mode}
    )

    assert template.name in page.content.decode()
    assert f"Template “{template.name}” applied to 1 listing." in messages_of(done)
    listing.refresh_from_db()
    assert (listing.title, listing.description) == (expected_title, "Smoke-free home")
    assert audit_for(listing, "template.apply")[0].actor == staff
    template.refresh_from_db()
    assert template.use_count == 1


def test_template_admin_validates_defaults_and_audits_the_staff_member(staff_client, staff, owner):
    url = reverse("admin:listing_templates_listingtemplate_add")
    base = {"owner": owner.pk, "name": "Phones", "description": ""}

    refused = staff_client.post(url, {**base, "defaults": '{"price": "-5", "colour": "red"}'})
    created = staff_client.post(url, {**base, "defaults": '{"condition": "like new", "price": "$20"}'})

    errors = refused.context["adminform"].form.errors["defaults"]
    assert "colour: Not a listing field." in errors and "price: The price cannot be negative." in errors
    assert created.status_code == 302
    template = ListingTemplate.objects.get()
    assert template.defaults == {"condition": "Used - Like New", "price": "20.00"}
    entry = AuditEntry.objects.get(action="template.create")
    assert entry.actor == staff and entry.object_id == str(template.pk)


def test_template_admin_change_and_delete_are_audited(staff_client, staff, owner):
    template = ListingTemplateFactory(owner=owner, name="Old")
    change_url = reverse("admin:listing_templates_listingtemplate_change", args=[template.pk])

    changed = staff_client.post(
        change_url, {"name": "New", "description": "", "defaults": '{"condition": "New"}'}
    )
    deleted = staff_client.post(
        reverse("admin:listing_templates_listingtemplate_delete", args=[template.pk]), {"post": "yes"}
    )

    assert changed.status_code == 302 and deleted.status_code == 302
    update = AuditEntry.objects.get(action="template.update")
    assert update.actor == staff and update.changes["name"] == ["Old", "New"]
    assert AuditEntry.objects.get(action="template.delete").actor == staff
    assert not ListingTemplate.objects.exists()
