"""The Facebook readiness check: counts and reasons in the Export dialog, and the grid
filter that shows the listings to fix."""

from decimal import Decimal

import pytest
from django.urls import reverse

from listings.models import Listing
from listings.readiness import readiness
from listings.selectors import listings_filtered
from listings.tests.factories import ListingFactory

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
