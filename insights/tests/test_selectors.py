from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from insights import selectors
from insights.selectors import bin_width, insights_for
from insights.tests.fixtures import EXPECTED, REVENUE, STOCK, figures_by_name, make_shop
from listings.freshness import listings_changed
from listings.models import Listing
from listings.selectors import listings_filtered
from listings.services.bulk import listings_bulk_set
from listings.services.changes import listing_delete, listing_update, listings_create_many
from listings.services.undo import undo_last
from listings.tests.factories import ListingFactory
from listings.validation import clean_listing

pytestmark = pytest.mark.django_db


def _counts(figures) -> dict[str, int]:
    return {name: figure["count"] for name, figure in figures_by_name(figures).items()}


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of three listing ids, so the shop spans several."""
    monkeypatch.setattr(selectors, "BLOCK_IDS", 3)


@pytest.mark.parametrize("block_ids", [1, 3, 5000])
def test_every_figure_is_the_hand_computed_one(owner, monkeypatch, block_ids):
    monkeypatch.setattr(selectors, "BLOCK_IDS", block_ids)
    make_shop(owner)

    figures = insights_for(owner)

    assert _counts(figures) == {name: count for name, (count, _) in EXPECTED.items()}
    assert [figure["label"] for figure in figures["top_categories"]] == [
        "Furniture",
        "Home & Kitchen",
        "Furniture Sets",
        "Pet Supplies",
    ]
    assert figures["price_histogram"]["bin_width"] == "50.00"
    assert figures["stale"]["since"] == (timezone.localdate() - timedelta(days=30)).isoformat()
    assert {
        figure["query"]: (figure["total_value"], figure["average_price"]) for figure in figures["stock"]
    } == {f"status={status}": figures for status, figures in STOCK.items()}
    named = figures_by_name(figures)
    assert {weeks: named[f"sold:{weeks}"]["revenue"] for weeks in range(12)} == {
        weeks: REVENUE.get(weeks, "0.00") for weeks in range(12)
    }


def test_each_figure_filters_the_listings_to_exactly_those_it_counts(owner, other_user):
    shop = make_shop(owner)
    make_shop(other_user)

    for name, figure in figures_by_name(insights_for(owner)).items():
        shown = set(listings_filtered(owner, QueryDict(figure["query"])).values_list("id", flat=True))
        assert shown == {shop.ids[row] for row in EXPECTED[name][1]}, name


def test_another_sellers_listings_are_not_counted(owner, other_user):
    make_shop(owner)
    ListingFactory(owner=other_user, title="Someone else's", price=Decimal("5000"), category="")

    figures = insights_for(other_user)

    assert figures["total"]["count"] == 1
    assert figures["facebook"]["by_check"][0]["count"] == 1  # no category
    assert insights_for(owner)["total"]["count"] == 9


def test_a_seller_with_no_listings_sees_zeros(owner):
    figures = insights_for(owner)

    assert figures["total"]["count"] == 0
    assert figures["price_histogram"] == {"bin_width": None, "bins": []}
    assert figures["top_categories"] == []


def test_figures_come_from_the_cache_until_a_change_commits(
    owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)
    insights_for(owner)
    with django_assert_num_queries(0):
        assert insights_for(owner)["by_condition"][0]["count"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        listing_update(
            listing=Listing.objects.get(pk=shop.ids["chair"]), data={"condition": "New"}, actor=owner
        )
    assert insights_for(owner)["by_condition"][0]["count"] == 4

    with django_capture_on_commit_callbacks(execute=True):
        undo_last(user=owner)
    assert insights_for(owner)["by_condition"][0]["count"] == 3


def test_kept_blocks_give_the_figures_read_afresh_after_every_kind_of_change(
    owner, other_user, small_blocks, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)
    make_shop(other_user)
    chair, sofa = (Listing.objects.get(pk=shop.ids[name]) for name in ("chair", "sofa"))
    changes = {
        "an edit": lambda: listing_update(
            listing=chair, data={"condition": "New", "price": "46"}, actor=owner
        ),
        "a delete": lambda: listing_delete(listing=sofa, actor=owner),
        "its undo": lambda: undo_last(user=owner),
        "a new most expensive listing": lambda: listings_create_many(
            owner=owner, rows=[clean_listing({"title": "Lamp", "price": "999", "condition": "New"})]
        ),
        "a bulk set of every listing": lambda: listings_bulk_set(
            listings=Listing.objects.filter(owner=owner), values={"status": "listed"}, actor=owner
        ),
        "another seller's edit": lambda: listings_bulk_set(
            listings=Listing.objects.filter(owner=other_user), values={"condition": "New"}, actor=other_user
        ),
    }
    assert insights_for(owner)["total"]["count"] == 9
    for change, make in changes.items():
        with django_capture_on_commit_callbacks(execute=True):
            make()
        kept = insights_for(owner)
        cache.clear()
        assert kept == insights_for(owner), change
    assert kept["by_status"][2]["count"] == 11  # every listing listed, the archived one and the lamp too
    assert kept["price_histogram"]["bin_width"] == "100.00"


def test_an_edit_reads_again_only_the_block_of_the_listing_it_changed(
    owner, small_blocks, monkeypatch, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)
    insights_for(owner)
    read = []
    read_blocks = selectors._read_blocks

    def spy(user, blocks, **options):
        read.append(blocks)
        return read_blocks(user, blocks, **options)

    monkeypatch.setattr(selectors, "_read_blocks", spy)
    chair = Listing.objects.get(pk=shop.ids["chair"])

    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=chair, data={"condition": "New"}, actor=owner)
    figures = insights_for(owner)

    assert read == [[chair.pk // 3]]
    assert figures["by_condition"][0]["count"] == 4


def test_with_nothing_kept_one_pass_reads_every_block_under_the_fingerprints_a_later_visit_takes(
    owner, small_blocks, monkeypatch
):
    make_shop(owner)
    calls = []
    read_blocks, fingerprints = selectors._read_blocks, selectors._fingerprints

    def read_spy(user, blocks, **options):
        calls.append(("read", blocks))
        return read_blocks(user, blocks, **options)

    def fingerprints_spy(user):
        calls.append(("fingerprints",))
        return fingerprints(user)

    monkeypatch.setattr(selectors, "_read_blocks", read_spy)
    monkeypatch.setattr(selectors, "_fingerprints", fingerprints_spy)
    first = insights_for(owner)
    assert calls == [("read", None)]  # no fingerprints' pass: every block read at once

    listings_changed([owner.pk])  # the figures read again, every block still kept
    assert insights_for(owner) == first
    assert calls == [("read", None), ("fingerprints",)]  # the read's fingerprints are the pass's

    monkeypatch.setattr(selectors, "FIGURES_VERSION", selectors.FIGURES_VERSION + 1)
    assert insights_for(owner) == first  # a new shape: nothing kept under its keys
    assert calls == [("read", None), ("fingerprints",), ("read", None)]


def test_a_kept_block_whose_listings_are_all_deleted_counts_none(
    owner, small_blocks, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)
    insights_for(owner)
    block = shop.ids["chair"] // 3
    with django_capture_on_commit_callbacks(execute=True):
        for listing in Listing.objects.filter(owner=owner, pk__gte=block * 3, pk__lt=block * 3 + 3):
            listing_delete(listing=listing, actor=owner)
    kept = insights_for(owner)
    cache.clear()
    assert kept == insights_for(owner)


def test_a_change_not_committed_leaves_the_cache(owner, django_capture_on_commit_callbacks):
    shop = make_shop(owner)
    insights_for(owner)

    # Inside the test's transaction, never committed: the callbacks are dropped.
    listing_delete(listing=Listing.objects.get(pk=shop.ids["chair"]), actor=owner)

    assert insights_for(owner)["total"]["count"] == 9


def test_a_staff_change_to_a_sellers_listings_refreshes_the_sellers_figures(
    owner, staff, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)
    assert insights_for(owner)["warnings"]["any"]["count"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        listings_bulk_set(
            listings=Listing.objects.filter(pk=shop.ids["sofa"]),
            values={"category": "Free//Sofas"},
            actor=staff,
        )

    warnings = {figure["kind"]: figure["count"] for figure in insights_for(owner)["warnings"]["by_kind"]}
    assert warnings["no_category"] == 0
    assert warnings["unknown_category"] == 2


@pytest.mark.parametrize(
    ("highest", "width"),
    [("0", "1"), ("9.99", "1"), ("10", "2"), ("19.99", "2"), ("20", "5"), ("300", "50"), ("99999", "10000")],
)
def test_price_ranges_are_round_and_at_most_ten(highest, width):
    assert bin_width(Decimal(highest)) == Decimal(width)
    assert Decimal(highest) // Decimal(width) + 1 <= 10


def test_the_reads_setting_ends_with_them(owner):
    # The test runs in a transaction, as a caller inside transaction.atomic would: a SET LOCAL
    # left in place would reach every later statement of it.
    make_shop(owner)
    insights_for(owner)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone() == ("on",)
