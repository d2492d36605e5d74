"""The grid's server side of issue 13: layouts and saved views per seller, range
writes through the paste endpoint, natural title sort, signed-out htmx requests."""

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEntry
from listings.models import GridLayout, Listing, SavedView, UndoStep
from listings.selectors import DEFAULT_COLUMNS, grid_layout_for, listings_filtered
from listings.services.changes import listing_create
from listings.services.layout import clean_columns
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def _layout(**columns):
    return {"layout": json.dumps(columns)}


# --- Layout ------------------------------------------------------------------


def test_the_layout_is_saved_per_user_and_rendered_into_the_page(owner_client, owner, other_user):
    columns = {"order": ["title", "category", "price"], "hidden": ["description"], "widths": {"title": 300}}
    response = owner_client.post("/listings/layout/", _layout(**columns))
    assert response.status_code == 200
    saved = owner.grid_layout.columns
    assert saved["order"][:3] == ["title", "category", "price"]
    assert set(saved["order"]) == set(DEFAULT_COLUMNS["order"])
    assert saved["hidden"] == ["description"]
    assert saved["widths"] == {"title": 300}
    page = owner_client.get("/listings/").content.decode()
    assert '<script id="grid-layout" type="application/json">' in page
    assert '"widths": {"title": 300}' in page
    # Another seller's grid is untouched.
    assert grid_layout_for(other_user) == DEFAULT_COLUMNS


def test_reset_layout_goes_back_to_the_default(owner_client, owner):
    owner_client.post("/listings/layout/", _layout(order=[], hidden=["price"], widths={}))
    assert owner_client.post("/listings/layout/reset/").status_code == 204
    assert not GridLayout.objects.filter(user=owner).exists()
    assert grid_layout_for(owner) == DEFAULT_COLUMNS


@pytest.mark.parametrize(
    "layout, message",
    [
        ("not json", "not JSON"),
        (json.dumps([1, 2]), "is an object"),
        (json.dumps({"order": ["title", "owner"]}), "Unknown columns: owner"),
        (json.dumps({"hidden": ["title"]}), "title column cannot be hidden"),
        (json.dumps({"order": ["price", "price"]}), "twice"),
        (json.dumps({"widths": {"price": 0}}), "40–2000"),
        (json.dumps({"widths": {"price": "wide"}}), "40–2000"),
        (json.dumps({"widths": {"price": True}}), "40–2000"),
        ("x" * 5000, "too large"),
    ],
)
def test_a_bad_layout_is_a_422_that_says_why(owner_client, owner, layout, message):
    response = owner_client.post("/listings/layout/", {"layout": layout})
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not GridLayout.objects.exists()


def test_clean_columns_appends_columns_the_order_lacks():
    assert clean_columns({"order": ["price"]})["order"] == [
        "price",
        "title",
        "condition",
        "description",
        "category",
        "offer_shipping",
        "status",
        "sku",
        "quantity",
        "sold_price",
        "notes",
        "brand",
        "ebay_category_id",
        "product_link",
    ]
    with pytest.raises(ValidationError):
        clean_columns({"hidden": "price"})


def test_layout_needs_a_log_in():
    response = Client().post("/listings/layout/", _layout(hidden=["price"]))
    assert response.status_code == 302
    assert not GridLayout.objects.exists()


# --- Saved views -------------------------------------------------------------


def test_a_saved_view_keeps_filters_sort_and_columns_and_applies_in_one_click(owner_client, owner):
    columns = {"order": ["title", "price"], "hidden": ["description"], "widths": {}}
    response = owner_client.post(
        "/listings/views/",
        {
            "name": "Cheap bikes",
            "query": "q=bike&offset=50&ordering=price&owner=2&condition=",
            **_layout(**columns),
        },
    )
    view = SavedView.objects.get(owner=owner)
    # Only the grid's filters and sort are kept (no paging, no unknown names).
    assert view.query == "ordering=price&q=bike"
    assert response["Location"] == "/listings/?ordering=price&q=bike"
    assert AuditEntry.objects.filter(action="saved_view.create", object_id=str(view.pk)).exists()
    page = owner_client.get("/listings/").content.decode()
    assert f'action="/listings/views/{view.pk}/apply/"' in page
    assert ">Cheap bikes</button>" in page

    owner_client.post("/listings/layout/reset/")
    applied = owner_client.post(f"/listings/views/{view.pk}/apply/")
    assert applied["Location"] == "/listings/?ordering=price&q=bike"
    assert owner.grid_layout.columns["hidden"] == ["description"]


def test_saved_view_names_are_unique_per_seller(owner_client, owner, other_user):
    owner_client.post("/listings/views/", {"name": "Mine", "query": ""})
    owner_client.post("/listings/views/", {"name": "Mine", "query": "q=x"})
    assert SavedView.objects.filter(owner=owner).count() == 1
    page = owner_client.get("/listings/", follow=True).content.decode()
    assert "You already have a view called “Mine”." in page
    other = Client()
    other.force_login(other_user)
    other.post("/listings/views/", {"name": "Mine", "query": ""})
    assert SavedView.objects.count() == 2


def test_another_sellers_view_cannot_be_applied_or_deleted(owner_client, other_user):
    theirs = SavedView.objects.create(owner=other_user, name="Theirs", query="q=x", columns={})
    assert owner_client.post(f"/listings/views/{theirs.pk}/apply/").status_code == 404
    assert owner_client.post(f"/listings/views/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    assert "Theirs" not in owner_client.get("/listings/").content.decode()


def test_deleting_a_view(owner_client, owner):
    owner_client.post("/listings/views/", {"name": "Old", "query": ""})
    view = SavedView.objects.get()
    owner_client.post(f"/listings/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(action="saved_view.delete").count() == 1


# --- Range writes (fill down, clear) through the paste endpoint -------------


def _range(owner_client, rows, fields, text="", action="fill"):
    return owner_client.post(
        "/listings/paste/",
        {
            "fields": fields,
            "ids": [row.pk for row in rows],
            "versions": [row.version for row in rows],
            "text": text,
            "action": action,
        },
        HTTP_HX_REQUEST="true",
    )


def test_fill_down_in_the_sellers_column_order_is_one_undo_step(owner_client, owner):
    rows = [ListingFactory(owner=owner, title=f"Row {n}", category="Old") for n in range(3)]
    # Category before price, as a reordered grid shows them.
    response = _range(owner_client, rows[1:], ["category", "price"], "Home\t9.99\nHome\t9.99")
    assert response.status_code == 200
    assert "Filled 4 cells." in response.content.decode()
    assert list(Listing.objects.order_by("id").values_list("category", "price")) == [
        ("Old", Decimal("45.00")),
        ("Home", Decimal("9.99")),
        ("Home", Decimal("9.99")),
    ]
    assert UndoStep.objects.filter(user=owner).count() == 1


def test_clearing_a_range_reports_what_cannot_be_empty(owner_client, owner):
    rows = [ListingFactory(owner=owner, category="Home", description="Text") for _ in range(2)]
    response = _range(owner_client, rows, ["description", "category", "title"], action="clear")
    body = response.content.decode()
    assert "Cleared 6 cells." in body
    assert "Line 1, Title:" in body
    assert set(Listing.objects.values_list("description", "category")) == {("", "")}
    assert Listing.objects.filter(title="").count() == 0


@pytest.mark.parametrize(
    "fields, action",
    [(["price", "price"], "fill"), (["owner"], "fill"), ([], "fill"), (["price"], "explode")],
)
def test_a_range_with_bad_columns_is_refused(owner_client, owner, fields, action):
    row = ListingFactory(owner=owner)
    response = _range(owner_client, [row], fields, "1", action=action)
    assert response.status_code == 422
    row.refresh_from_db()
    assert row.version == 1


def test_a_range_cannot_reach_another_sellers_rows(owner_client, other_user):
    theirs = ListingFactory(owner=other_user, title="Theirs")
    assert _range(owner_client, [theirs], ["title"], "Mine now").status_code == 404
    assert _range(owner_client, [theirs], ["title"], action="clear").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_a_long_description_cell_carries_its_whole_value_for_copying(owner_client, owner):
    ListingFactory(owner=owner, description="word " * 60)
    page = owner_client.get("/listings/").content.decode()
    assert f'data-value="{"word " * 60}"' in page


def test_a_saved_cell_updates_the_rows_warning_marker(owner_client, owner):
    listing = listing_create(owner=owner, data={"title": "Chair", "price": "5", "category": "Not a real one"})
    assert listing.warnings
    response = owner_client.post(
        f"/listings/{listing.pk}/cells/category/",
        {"value": "Furniture//Dining Room Furniture//Dining Chairs", "version": listing.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f'<td class="warn" id="warnings-{listing.pk}" hx-swap-oob="true"></td>' in body


# --- Natural sort ------------------------------------------------------------


@pytest.mark.postgres
def test_titles_sort_naturally_in_the_database(owner):
    for title in ["Lamp #11", "Lamp #2", "lamp #3", "Lamp #1", "Lamp #100", "Chair"]:
        ListingFactory(owner=owner, title=title)
    titles = list(listings_filtered(owner, {"ordering": "title"}).values_list("title", flat=True))
    assert titles == ["Chair", "Lamp #1", "Lamp #2", "lamp #3", "Lamp #11", "Lamp #100"]
    descending = list(listings_filtered(owner, {"ordering": "-title"}).values_list("title", flat=True))
    assert descending == titles[::-1]


@pytest.mark.postgres
def test_api_keyset_pages_follow_the_natural_order(owner):
    for n in range(1, 26):
        ListingFactory(owner=owner, title=f"Item #{n}")
    api = APIClient()
    api.force_authenticate(owner)
    seen = []
    url = "/api/listings/?ordering=title&page_size=7"
    while url:
        page = api.get(url).json()
        seen += [row["title"] for row in page["results"]]
        url = page["next"]
    assert seen == [f"Item #{n}" for n in range(1, 26)]


def test_the_grid_pages_by_offset_in_the_natural_order(owner_client, owner):
    for n in range(1, 61):
        ListingFactory(owner=owner, title=f"Item #{n}")
    first = owner_client.get("/listings/?ordering=title", HTTP_HX_REQUEST="true").content.decode()
    rest = owner_client.get("/listings/?ordering=title&offset=50", HTTP_HX_REQUEST="true").content.decode()
    assert first.count('id="listing-') == 50
    assert rest.count('id="listing-') == 10
    assert "Item #51" in rest and "Item #51" not in first


# --- Signed out during an htmx request ---------------------------------------


def test_a_signed_out_htmx_request_gets_401_and_the_log_in_page_to_go_to(owner):
    listing = ListingFactory(owner=owner)
    response = Client().post(
        f"/listings/{listing.pk}/cells/price/",
        {"value": "1", "version": listing.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/listings/?q=oak&ordering=title",
    )
    assert response.status_code == 401
    target = urlsplit(response["HX-Redirect"])
    assert target.path == "/accounts/login/"
    assert parse_qs(target.query) == {"next": ["/listings/?q=oak&ordering=title"]}
    listing.refresh_from_db()
    assert listing.version == 1


def test_the_next_page_is_never_another_site(owner):
    response = Client().get(
        "/listings/count/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/phish"
    )
    assert response.status_code == 401
    assert parse_qs(urlsplit(response["HX-Redirect"]).query) == {"next": ["/listings/count/"]}


def test_a_signed_out_page_load_still_redirects_to_log_in():
    response = Client().get("/listings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
