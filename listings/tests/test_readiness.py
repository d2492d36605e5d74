"""Readiness per marketplace: counts and reasons (the Export dialog, the API), the
grid filters that show the listings to fix, and each listing's readiness in its JSON."""

from decimal import Decimal

import pytest
from django.urls import reverse

from listings.models import Listing
from listings.readiness import readiness
from listings.selectors import FilterError, listings_filtered
from listings.tests.factories import ListingFactory
from photos.tests.factories import photographed

pytestmark = pytest.mark.django_db

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"


@pytest.fixture
def stock(owner, other_user):
    return {
        "ready": ListingFactory(owner=owner, title="Ready chair", price=Decimal("45.00"), category=CHAIRS),
        "no_category": ListingFactory(owner=owner, title="Bare lamp", price=Decimal("12.00"), category=""),
        "unknown": ListingFactory(owner=owner, title="Odd rug", price=Decimal("30.00"), category="Rugs?"),
        "cents": ListingFactory(owner=owner, title="Cheap mug", price=Decimal("19.50"), category=CHAIRS),
        "free_and_bare": ListingFactory(owner=owner, title="Free box", price=Decimal("0.00"), category=""),
        "theirs": ListingFactory(owner=other_user, title="Their lamp", price=Decimal("0.00"), category=""),
    }


def test_counts_and_reasons(owner, stock):
    result = readiness(Listing.objects.filter(owner=owner), "facebook", owner)
    assert (result.ready, result.not_ready) == (1, 4)
    assert result.reasons == [
        ("no category", 2),
        ("a category Facebook does not list", 1),
        ("a price that is not a whole number above 0", 2),
    ]


def test_grid_filter_shows_exactly_the_listings_to_fix(owner, stock):
    not_ready = set(listings_filtered(owner, {"facebook": "not_ready"}).values_list("title", flat=True))
    assert not_ready == {"Bare lamp", "Odd rug", "Cheap mug", "Free box"}
    ready = listings_filtered(owner, {"facebook": "ready"}).values_list("title", flat=True)
    assert set(ready) == {"Ready chair"}


def test_dialog_check_follows_the_scope_and_links_to_the_grid(client, owner, stock):
    client.force_login(owner)
    url = reverse("exports:readiness")
    lamps = {"export_format": "facebook", "scope": "filter", "filter": "q=lamp"}
    html = client.get(url, lamps).content.decode()
    assert "0 ready, 1 needs a fix" in html
    assert "1 with no category" in html
    link = f"{reverse('listings:grid')}?q=lamp&amp;facebook=not_ready"
    assert link in html

    html = client.get(url, {"export_format": "facebook", "scope": "all"}).content.decode()
    assert "1 ready, 4 need a fix" in html

    ids = [stock["ready"].pk, stock["theirs"].pk]
    selected = {"export_format": "facebook", "scope": "selected", "ids": ids}
    assert "All 1 listing ready" in client.get(url, selected).content.decode()

    assert client.get(url, {"export_format": "csv", "scope": "all"}).content == b""

    grid = client.get(f"{reverse('listings:grid')}?facebook=not_ready").content.decode()
    assert "Listings that need a fix for Facebook" in grid
    assert "Cheap mug" in grid and "Ready chair" not in grid


# --- Every marketplace: one engine, each marketplace's own rules -----------------

EBAY_REASONS = {
    "title": "a title over eBay's 80 characters",
    "description": "no description",
    "price": "a price of 0",
    "currency": "prices in a currency eBay US does not take (set USD in your profile)",
}


# The fields other marketplaces need, filled: their rules have tests of their own below.
FILLED = {"ebay_category_id": "37908", "brand": "Acme", "product_link": "https://shop.example.com/item"}


@pytest.fixture
def ebay_stock(owner):
    stock = {
        "ready": ListingFactory(owner=owner, title="Chair", description="Oak.", **FILLED),
        "long": ListingFactory(owner=owner, title="x" * 81, description="Oak.", **FILLED),
        "eighty": ListingFactory(owner=owner, title="y" * 80, description="Oak.", **FILLED),
        "bare": ListingFactory(owner=owner, title="Bare", description="", **FILLED),
        "free": ListingFactory(owner=owner, title="Free", description="Oak.", price=Decimal("0"), **FILLED),
    }
    # With a photo each: the photo rule has its own tests (photos/tests/test_links.py).
    photographed(*stock.values())
    return stock


def test_ebay_rules_each_count_their_listings(owner, ebay_stock):
    result = readiness(Listing.objects.filter(owner=owner), "ebay", owner)
    assert (result.ready, result.not_ready) == (2, 3)
    assert result.reasons == [
        (EBAY_REASONS["title"], 1),
        (EBAY_REASONS["description"], 1),
        (EBAY_REASONS["price"], 1),
    ]


def test_ebay_refuses_every_listing_of_a_seller_pricing_in_another_currency(owner, ebay_stock):
    owner.currency = "EUR"
    result = readiness(Listing.objects.filter(owner=owner), "ebay", owner)
    assert (result.ready, result.not_ready) == (0, 5)
    assert (EBAY_REASONS["currency"], 5) in result.reasons


def test_meta_rules(owner, ebay_stock):
    result = readiness(Listing.objects.filter(owner=owner), "meta-catalog", owner)
    assert result.reasons == [("no description", 1), ("a price of 0", 1)]


@pytest.mark.parametrize("marketplace", ["shopify", "woocommerce"])
def test_shopify_and_woocommerce_take_every_listing(marketplace, owner, ebay_stock):
    result = readiness(Listing.objects.filter(owner=owner), marketplace, owner)
    assert (result.ready, result.not_ready, result.reasons) == (5, 0, [])


def test_grid_filters_per_marketplace_and_per_rule(owner, ebay_stock):
    def titles(params):
        return set(listings_filtered(owner, params).values_list("title", flat=True))

    assert titles({"ebay": "not_ready"}) == {"x" * 81, "Bare", "Free"}
    assert titles({"ebay": "title_too_long"}) == {"x" * 81}
    assert titles({"meta-catalog": "ready"}) == {"Chair", "x" * 81, "y" * 80}
    with pytest.raises(FilterError, match="use one of ready, not_ready, title_too_long"):
        listings_filtered(owner, {"ebay": "nope"})


def test_readiness_api_counts_under_the_lists_filters(api, owner, other_user, ebay_stock):
    ListingFactory(owner=other_user, title="Theirs", description="")
    response = api.get("/api/listings/readiness/", {"marketplace": "ebay"})
    assert response.status_code == 200
    assert response.json() == {
        "marketplace": "ebay",
        "ready": 2,
        "not_ready": 3,
        "reasons": [
            {"reason": EBAY_REASONS["title"], "count": 1},
            {"reason": EBAY_REASONS["description"], "count": 1},
            {"reason": EBAY_REASONS["price"], "count": 1},
        ],
    }
    narrowed = api.get("/api/listings/readiness/", {"marketplace": "ebay", "q": "bare"}).json()
    assert (narrowed["ready"], narrowed["not_ready"]) == (0, 1)
    refused = api.get("/api/listings/readiness/", {"marketplace": "etsy"})
    assert refused.status_code == 400
    assert "marketplace" in str(refused.json())


def test_listing_json_says_per_marketplace_whether_it_is_ready(api, owner, ebay_stock):
    bare = ebay_stock["bare"]
    one = api.get(f"/api/listings/{bare.pk}/").json()
    assert one["readiness"]["ebay"] == {"ready": False, "reasons": ["no description"]}
    assert one["readiness"]["shopify"] == {"ready": True, "reasons": []}
    assert set(one["readiness"]) == {"facebook", "ebay", "shopify", "woocommerce", "meta-catalog"}
    page = api.get("/api/listings/", {"q": "bare"}).json()
    assert page["results"][0]["readiness"] == one["readiness"]


def test_a_stored_text_array_matches_exactly_its_values_whatever_they_hold(owner):
    """The unknown-category rule reads Facebook's categories from a function the
    database keeps (``marketplace.sqlarrays``): values with quotes, backslashes, commas,
    braces, dollar quotes and other scripts match themselves and nothing else, in
    either case."""
    from django.db import connection
    from django.db.models import F, Q

    from marketplace.sqlarrays import InArray, StoredTextArray

    awkward = [
        'He said "hi"',
        "back\\slash",
        "a,b",
        "{braces}",
        "O'Brien",
        "$$ end $$",
        "Ünïcödé//カテゴリ",
        "NULL",
        " ",
    ]
    for title in [*awkward, 'he said "hi"', "a", "b", "NULL?"]:
        ListingFactory(owner=owner, title=title)
    values = StoredTextArray("test_awkward_titles", awkward)
    values.install(connection)
    matched = set(Listing.objects.filter(InArray(F("title"), values)).values_list("title", flat=True))
    assert matched == set(awkward)
    left = set(Listing.objects.filter(~Q(InArray(F("title"), values))).values_list("title", flat=True))
    assert left == {'he said "hi"', "a", "b", "NULL?"}


@pytest.mark.postgres
def test_the_database_holds_the_categories_the_code_ships(db):
    """``migrate`` (re)makes the function the unknown-category rule reads (SQLite
    gets the values inline)."""
    from django.db import connection

    from listings.categories import all_categories

    with connection.cursor() as cursor:
        cursor.execute("SELECT listings_facebook_categories()")
        assert tuple(cursor.fetchone()[0]) == all_categories()
