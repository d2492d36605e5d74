import pytest

from listing_templates.models import ListingTemplate
from listings.tests.factories import ListingTemplateFactory
from listings.tests.test_api import _listing

pytestmark = pytest.mark.django_db

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"


def test_templates_crud_and_visibility(api, owner, other_user):
    public = ListingTemplateFactory(owner=other_user, name="Shared", is_public=True)
    ListingTemplateFactory(owner=other_user, name="Private")
    response = api.post(
        "/api/templates/", {"name": "Mine", "defaults": {"condition": "used like new"}}, format="json"
    )
    assert response.status_code == 201
    mine = response.json()
    assert mine["defaults"] == {"condition": "Used - Like New"} and mine["mine"] is True
    names = {row["name"]: row["mine"] for row in api.get("/api/templates/").json()["results"]}
    assert names == {"Mine": True, "Shared": False}
    assert api.get(f"/api/templates/{public.pk}/").status_code == 200
    # A public template can be used by everyone but changed only by its owner.
    assert api.patch(f"/api/templates/{public.pk}/", {"name": "Taken"}, format="json").status_code == 404
    assert api.delete(f"/api/templates/{public.pk}/").status_code == 404
    response = api.patch(f"/api/templates/{mine['id']}/", {"is_public": "yes"}, format="json")
    assert response.json()["is_public"] is True
    response = api.put(f"/api/templates/{mine['id']}/", {"name": "Renamed", "defaults": {}}, format="json")
    assert response.json()["name"] == "Renamed"
    assert api.delete(f"/api/templates/{mine['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"defaults": {}}, "name"),
        ({"name": "T", "defaults": {"colour": "red"}}, "defaults"),
        ({"name": "T", "defaults": {"price": "-3"}}, "defaults"),
        ({"name": "Taken"}, "non_field_errors"),
    ],
)
def test_template_errors(api, owner, body, field):
    ListingTemplateFactory(owner=owner, name="Taken")
    response = api.post("/api/templates/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_template_apply_both_modes_and_use_count(api, owner, other_user):
    template = ListingTemplateFactory(
        owner=other_user, is_public=True, defaults={"description": "From template", "offer_shipping": True}
    )
    empty = _listing(owner, description="")
    filled = _listing(owner, description="Mine")
    url = f"/api/templates/{template.pk}/apply/"
    assert api.post(url, {"filter": {}, "mode": "fill_empty"}, format="json").json() == {"count": 1}
    empty.refresh_from_db()
    filled.refresh_from_db()
    assert (empty.description, filled.description, filled.offer_shipping) == ("From template", "Mine", False)
    assert api.post(url, {"ids": [filled.pk], "mode": "overwrite"}, format="json").json() == {"count": 1}
    filled.refresh_from_db()
    assert (filled.description, filled.offer_shipping) == ("From template", True)
    assert ListingTemplate.objects.get(pk=template.pk).use_count == 2
    assert api.post(url, {"filter": {}, "mode": "sideways"}, format="json").status_code == 400


def test_a_template_gives_status_quantity_and_notes_but_no_sku(api, owner):
    from listing_templates.services import template_rows_create
    from listings.models import Listing

    response = api.post(
        "/api/templates/",
        {"name": "Drafts", "defaults": {"status": "Draft", "quantity": "5", "notes": "Back room"}},
        format="json",
    )
    refused = api.post("/api/templates/", {"name": "SKU", "defaults": {"sku": "A-1"}}, format="json")

    assert response.json()["defaults"] == {"status": "draft", "quantity": 5, "notes": "Back room"}
    assert refused.status_code == 400
    assert (
        refused.json()["errors"][0]["message"] == "sku: A SKU names one listing; a template cannot give one."
    )
    template = ListingTemplate.objects.get(name="Drafts")
    [pk] = template_rows_create(template=template, owner=owner, count=1, actor=owner)
    made = Listing.objects.get(pk=pk)
    assert (made.status, made.quantity, made.notes) == ("draft", 5, "Back room")
