"""The fields other marketplaces need (brand, eBay category id, product link): one
rule at every door (grid cell, API, admin), the write path's audit and undo, the
list's filters, the grid's optional columns, template defaults, import headers and
each marketplace's readiness reasons."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from imports.headers import field_for_header
from listing_templates.services import template_create
from listings.models import GridLayout, Listing
from listings.readiness import readiness
from listings.selectors import DEFAULT_COLUMNS, grid_layout_for, listings_filtered
from listings.services.changes import listing_update
from listings.services.undo import undo_last
from listings.tests.factories import ListingFactory
from listings.tests.test_parity import DOORS, field_doors  # noqa: F401 (a fixture)
from listings.validation import clean_listing, clean_template_defaults
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("product_link", "ftp://shop.example.com/chair", "is not a web address"),
        ("product_link", "javascript:alert(1)", "is not a web address"),
        ("product_link", "shop dot example", "is not a web address"),
        ("product_link", "https://shop.example.com/" + "a" * 2000, "the most is 2000"),
        ("brand", "B" * 101, "The brand has 101 characters; the most is 100."),
        ("ebay_category_id", "Chairs", "is not an eBay category id"),
        ("ebay_category_id", "12345678901", "at most 10 digits"),
    ],
)
def test_a_bad_marketplace_value_is_refused_alike_at_every_door(
    field_doors,  # noqa: F811
    owner,
    door,
    field,
    value,
    message,
):
    listing = ListingFactory(owner=owner, brand="Acme", ebay_category_id="37908")

    outcome = field_doors[door](listing, field, value)

    assert not outcome.accepted
    assert message in outcome.text
    listing.refresh_from_db()
    assert (listing.brand, listing.ebay_category_id, listing.product_link, listing.version) == (
        "Acme",
        "37908",
        "",
        1,
    )


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("brand", "  Acme   Tools ", "Acme Tools"),
        ("ebay_category_id", " 37908 ", "37908"),
        (
            "product_link",
            "https://shop.example.com/chair?colour=oak",
            "https://shop.example.com/chair?colour=oak",
        ),
        ("product_link", "http://shop.example.com/", "http://shop.example.com/"),
    ],
)
def test_a_good_marketplace_value_is_stored_alike_at_every_door(
    field_doors,  # noqa: F811
    owner,
    door,
    field,
    value,
    stored,
):
    listing = ListingFactory(owner=owner)

    outcome = field_doors[door](listing, field, value)

    assert outcome.accepted, outcome.text
    listing.refresh_from_db()
    assert getattr(listing, field) == stored


def test_a_spreadsheets_number_is_an_ebay_category_id():
    cleaned = clean_listing({"ebay_category_id": 37908.0}, partial=True)
    assert cleaned == {"ebay_category_id": "37908"}


def test_the_write_path_audits_and_undoes_the_new_fields(owner):
    listing = ListingFactory(owner=owner)
    listing_update(
        listing=listing,
        data={"brand": "Acme", "ebay_category_id": "37908", "product_link": "https://a.example/1"},
        actor=owner,
    )
    entry = AuditEntry.objects.filter(action="listing.update").latest("id")
    assert {"brand", "ebay_category_id", "product_link"} <= set(entry.changes)

    undo_last(user=owner)

    listing.refresh_from_db()
    assert (listing.brand, listing.ebay_category_id, listing.product_link) == ("", "", "")


def test_the_api_creates_with_the_fields_and_filters_by_them(api, owner, other_user):
    body = {
        "title": "Oak chair",
        "price": "45",
        "brand": "Acme",
        "ebay_category_id": "37908",
        "product_link": "https://shop.example.com/oak-chair",
    }
    created = api.post("/api/listings/", body, format="json")
    assert created.status_code == 201, created.json()
    assert {name: created.json()[name] for name in ("brand", "ebay_category_id", "product_link")} == {
        "brand": "Acme",
        "ebay_category_id": "37908",
        "product_link": "https://shop.example.com/oak-chair",
    }
    ListingFactory(owner=owner, title="Other brand", brand="Zeta")
    ListingFactory(owner=other_user, title="Theirs", brand="Acme", ebay_category_id="37908")

    by_brand = api.get("/api/listings/", {"brand": "ACME"}).json()["results"]
    assert [listing["title"] for listing in by_brand] == ["Oak chair"]
    by_category = api.get("/api/listings/", {"ebay_category_id": "37908"}).json()["results"]
    assert [listing["title"] for listing in by_category] == ["Oak chair"]

    refused = api.post("/api/listings/", {**body, "product_link": "file:///etc/passwd"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "product_link"


def test_the_bulk_set_gives_many_listings_a_brand(api, owner):
    listings = ListingFactory.create_batch(3, owner=owner)
    body = {
        "ids": [listing.pk for listing in listings],
        "set": {"brand": "Acme", "ebay_category_id": "37908"},
    }
    assert api.patch("/api/listings/bulk/", body, format="json").json() == {"count": 3}
    assert set(Listing.objects.filter(owner=owner).values_list("brand", "ebay_category_id")) == {
        ("Acme", "37908")
    }


def test_the_grid_shows_the_columns_hidden_until_asked(owner, client):
    assert set(DEFAULT_COLUMNS["hidden"]) == {"brand", "ebay_category_id", "product_link"}
    # A layout saved before the columns existed gets them at the end, hidden.
    old_order = ["title", "price", "condition", "description", "category", "offer_shipping", "status"]
    GridLayout.objects.create(user=owner, columns={"order": old_order, "hidden": ["status"], "widths": {}})
    layout = grid_layout_for(owner)
    assert layout["order"][-3:] == ["brand", "ebay_category_id", "product_link"]
    assert {"status", "brand", "ebay_category_id", "product_link"} <= set(layout["hidden"])

    listing = ListingFactory(owner=owner, brand="Acme")
    client.force_login(owner)
    page = client.get(reverse("listings:grid")).content.decode()
    assert "eBay category id" in page and "Product link" in page
    editor = client.get(f"/listings/{listing.pk}/cells/brand/", {"edit": "1"}, HTTP_HX_REQUEST="true")
    assert editor.status_code == 200
    assert 'value="Acme"' in editor.content.decode()


def test_templates_give_a_brand_and_category_but_never_a_product_link(owner):
    assert clean_template_defaults({"brand": " Acme ", "ebay_category_id": "37908"}) == {
        "brand": "Acme",
        "ebay_category_id": "37908",
    }
    with pytest.raises(InvalidInput) as caught:
        clean_template_defaults({"product_link": "https://shop.example.com/one-item"})
    assert caught.value.errors[0].field == "product_link"
    template = template_create(owner=owner, name="Acme stock", defaults={"brand": "Acme"})
    assert template.defaults == {"brand": "Acme"}


def test_the_template_form_offers_brand_and_category(owner, client):
    client.force_login(owner)
    page = client.get(reverse("listing_templates:create")).content.decode()
    assert 'name="brand"' in page and 'name="ebay_category_id"' in page


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Brand", "brand"),
        ("Manufacturer", "brand"),
        ("eBay category", "ebay_category_id"),
        ("Category ID", "ebay_category_id"),
        ("eBay Category ID", "ebay_category_id"),
        ("Link", "product_link"),
        ("Product URL", "product_link"),
        ("Product link", "product_link"),
    ],
)
def test_import_headers_name_the_fields(header, field):
    assert field_for_header(header) == field


def test_each_marketplace_says_which_field_is_missing(owner):
    ListingFactory(owner=owner, title="Complete", description="Oak.", brand="Acme", ebay_category_id="1")
    ListingFactory(
        owner=owner, title="Linked", description="Oak.", brand="Acme", product_link="https://a.example/2"
    )
    ListingFactory(owner=owner, title="Letter", description="Oak.", brand="A", ebay_category_id="1")
    listings = Listing.objects.filter(owner=owner)

    ebay = readiness(listings, "ebay", owner)
    assert ("no eBay category id", 1) in ebay.reasons
    meta = readiness(listings, "meta-catalog", owner)
    assert ("no product link", 2) in meta.reasons
    assert ("no brand", 0) not in meta.reasons
    shopify = readiness(listings, "shopify", owner)
    assert shopify.reasons == [("a brand of one character (Shopify's Vendor needs two)", 1)]

    def titles(params):
        return set(listings_filtered(owner, params).values_list("title", flat=True))

    assert titles({"ebay": "no_ebay_category"}) == {"Linked"}
    assert titles({"meta-catalog": "no_link"}) == {"Complete", "Letter"}
    assert titles({"meta-catalog": "no_brand"}) == set()
