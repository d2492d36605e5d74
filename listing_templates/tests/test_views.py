from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from listing_templates.models import ListingTemplate
from listings.models import Listing
from listings.selectors import NEW_ROW_TITLE
from listings.tests.factories import ListingFactory, ListingTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, owner):
    client.force_login(owner)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_bulk_apply_template(client, owner):
    listing = ListingFactory(owner=owner, category="", offer_shipping=False)
    template = ListingTemplateFactory(
        owner=owner, defaults={"category": "Toys & Games", "offer_shipping": True}
    )
    client.post(
        reverse("listing_templates:apply"),
        {"ids": [listing.pk], "template": template.pk, "mode": "overwrite"},
        **HTMX,
    )
    listing.refresh_from_db()
    assert listing.offer_shipping is True and listing.category == "Toys & Games"


def test_template_pages_create_edit_delete(client, owner):
    response = client.post(
        reverse("listing_templates:create"),
        {
            "name": "Bikes",
            "description": "",
            "price": "$120",
            "condition": "Used - Good",
            "offer_shipping": "yes",
        },
    )
    assert response.status_code == 302
    template = ListingTemplate.objects.get(owner=owner, name="Bikes")
    assert template.defaults == {"price": "120.00", "condition": "Used - Good", "offer_shipping": True}
    response = client.post(
        reverse("listing_templates:edit", args=[template.pk]), {"name": "Bicycles", "price": "not money"}
    )
    assert response.status_code == 200
    assert "is not a price" in response.content.decode()
    client.post(reverse("listing_templates:edit", args=[template.pk]), {"name": "Bicycles", "price": "99"})
    template.refresh_from_db()
    assert (template.name, template.defaults) == ("Bicycles", {"price": "99.00"})
    assert "Bicycles" in client.get(reverse("listing_templates:list")).content.decode()
    client.post(reverse("listing_templates:delete", args=[template.pk]))
    assert not ListingTemplate.objects.exists()


def test_save_row_as_template_prefills_the_form(client, owner):
    listing = ListingFactory(owner=owner, title="Road bike", category="Sporting Goods//Bicycles")
    html = client.get(reverse("listing_templates:create"), {"from": listing.pk}).content.decode()
    assert 'value="Road bike"' in html and 'value="Sporting Goods//Bicycles"' in html


def test_add_rows_from_template(client, owner):
    template = ListingTemplateFactory(owner=owner, defaults={"condition": "New", "price": "15.00"})
    response = client.post(reverse("listing_templates:add_rows"), {"template": template.pk, "count": 3})
    assert response.status_code == 302
    rows = Listing.objects.filter(owner=owner)
    assert rows.count() == 3
    assert {(row.title, row.condition, row.price) for row in rows} == {
        (NEW_ROW_TITLE, "New", Decimal("15.00"))
    }
    # One use of the template, audited like applying it.
    template.refresh_from_db()
    assert template.use_count == 1
    [use] = AuditEntry.objects.filter(action="template.use", object_id=str(template.pk))
    assert use.changes == {"listings_created": 3}


def test_other_users_private_template_is_404(client, other_user):
    theirs = ListingTemplateFactory(owner=other_user)
    assert client.get(reverse("listing_templates:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("listing_templates:delete", args=[theirs.pk])).status_code == 404
