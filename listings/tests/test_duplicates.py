"""Likely duplicates: groups by one SKU typed two ways, by the same title (any case,
spacing, punctuation) and price, or a near-identical title on PostgreSQL; "keep one, archive the rest" is one
undo step at every door."""

from decimal import Decimal

import pytest

from listings.duplicates import SAME_SKU, SAME_TITLE, SIMILAR_TITLE, duplicate_groups
from listings.models import Listing, UndoStep
from listings.services.bulk import listings_bulk_set
from listings.services.duplicates import duplicates_archive
from listings.services.undo import undo_last
from listings.skus import sku_key, sku_loose_key
from listings.tests.factories import ListingFactory
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(owner, other_user):
    first = ListingFactory(owner=owner, title="Oak chair, brown", price=Decimal("20.00"))
    second = ListingFactory(owner=owner, title="oak  chair brown", price=Decimal("20.00"))
    ListingFactory(owner=owner, title="Oak chair, brown", price=Decimal("25.00"))  # another price
    ListingFactory(owner=owner, title="Oak chair brown", price=Decimal("20.00"), status="archived")
    ListingFactory(owner=other_user, title="Oak chair, brown", price=Decimal("20.00"))
    return first, second


def test_the_same_title_at_the_same_price_is_one_group(owner, twins):
    first, second = twins
    groups = duplicate_groups(owner)
    assert [(group.ids, group.reason) for group in groups] == [((first.pk, second.pk), SAME_TITLE)]


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        ("AB-007", "ab 7", True),
        ("Ab_07", "AB.7", True),
        ("chair/0042", "CHAIR42", True),
        ("A-10-01", "a 10 1", True),
        ("A-10-01", "A1001", False),  # the zeros inside a number count
        ("AB-70", "AB-7", False),
        ("AB-7", "AB-7X", False),
        ("0", "00", True),
    ],
)
def test_skus_alike_after_case_separators_and_leading_zeros(first, second, alike):
    assert sku_key(first) != sku_key(second)  # the write path lets both exist
    assert (sku_loose_key(first) == sku_loose_key(second)) is alike


def test_one_sku_typed_two_ways_is_one_group_whatever_the_titles_and_prices(owner, other_user):
    first = ListingFactory(owner=owner, title="Oak chair", price=Decimal("20.00"), sku="CH-007")
    second = ListingFactory(owner=owner, title="Pine shelf", price=Decimal("35.00"), sku="ch 7")
    third = ListingFactory(owner=owner, title="Garden hose", price=Decimal("9.00"), sku="Ch_07")
    ListingFactory(owner=owner, title="Brass lamp", price=Decimal("12.00"), sku="CH-70")  # another SKU
    ListingFactory(owner=owner, title="Blue rug", price=Decimal("40.00"), sku="ch.007", status="archived")
    ListingFactory(owner=other_user, title="Teak bench", price=Decimal("50.00"), sku="CH7")
    ListingFactory(owner=owner, title="Garden rake", price=Decimal("11.00"), sku="")
    ListingFactory(owner=owner, title="Garden fork", price=Decimal("13.00"), sku="")
    ListingFactory(owner=owner, title="Red vase", price=Decimal("14.00"), sku="--")

    assert [(group.ids, group.reason) for group in duplicate_groups(owner)] == [
        ((first.pk, second.pk, third.pk), SAME_SKU)
    ]


def test_a_group_joined_by_two_rules_names_both(owner):
    first = ListingFactory(owner=owner, title="Oak chair", price=Decimal("20.00"), sku="CH-1")
    second = ListingFactory(owner=owner, title="Pine shelf", price=Decimal("35.00"), sku="ch1")
    third = ListingFactory(owner=owner, title="pine SHELF", price=Decimal("35.00"))

    assert [(group.ids, group.reason) for group in duplicate_groups(owner)] == [
        ((first.pk, second.pk, third.pk), f"{SAME_SKU}; {SAME_TITLE}")
    ]


def test_a_sku_retyped_to_match_another_joins_its_group(owner):
    first = ListingFactory(owner=owner, title="Oak chair", sku="CH-1")
    second = ListingFactory(owner=owner, title="Pine shelf", sku="SH-1")
    assert duplicate_groups(owner) == []

    listings_bulk_set(listings=Listing.objects.filter(pk=second.pk), values={"sku": "ch_01"}, actor=owner)

    assert [(group.ids, group.reason) for group in duplicate_groups(owner)] == [
        ((first.pk, second.pk), SAME_SKU)
    ]


@pytest.mark.postgres
def test_near_identical_titles_at_one_price_group_on_postgres(owner):
    lamp = ListingFactory(owner=owner, title="Vintage brass desk lamp", price=Decimal("30.00"))
    typo = ListingFactory(owner=owner, title="Vintage brass desk lammp", price=Decimal("30.00"))
    ListingFactory(owner=owner, title="Garden hose 20 m", price=Decimal("30.00"))
    assert [(group.ids, group.reason) for group in duplicate_groups(owner)] == [
        ((lamp.pk, typo.pk), SIMILAR_TITLE)
    ]


def test_keep_one_archives_the_rest_as_one_undo_step(owner, twins):
    first, second = twins
    steps = UndoStep.objects.count()

    assert duplicates_archive(user=owner, keep=[second.pk]) == 1

    assert Listing.objects.get(pk=first.pk).status == "archived"
    assert Listing.objects.get(pk=second.pk).status == "ready"
    assert UndoStep.objects.count() == steps + 1
    assert duplicate_groups(owner) == []
    undo_last(user=owner)
    assert Listing.objects.get(pk=first.pk).status == "ready"


def test_keeping_a_listing_without_duplicates_or_two_of_a_group_is_refused(owner, twins):
    first, second = twins
    loner = ListingFactory(owner=owner, title="Unique thing")
    with pytest.raises(InvalidInput) as stray:
        duplicates_archive(user=owner, keep=[loner.pk])
    with pytest.raises(InvalidInput) as both:
        duplicates_archive(user=owner, keep=[first.pk, second.pk])
    assert stray.value.messages() == f"Listing {loner.pk} has no duplicates."
    assert (
        both.value.messages()
        == f"Listings {first.pk} and {second.pk} are duplicates of each other; keep one."
    )


def test_the_grid_shows_the_groups_and_archives_through_the_bulk_form(owner_client, owner, twins):
    first, second = twins
    page = owner_client.get("/listings/?duplicates=1").content.decode()
    assert f'id="listing-{first.pk}"' in page and f'id="listing-{second.pk}"' in page
    assert page.count('class="row-select"') == 2

    response = owner_client.post(
        "/listings/bulk/archive_duplicates/", {"ids": [first.pk]}, headers={"HX-Request": "true"}
    )

    assert "Archived 1 listing as duplicates." in response.content.decode()
    assert Listing.objects.get(pk=second.pk).status == "archived"
    shown = owner_client.get("/listings/").content.decode()
    assert f'id="listing-{second.pk}"' not in shown
    assert f'id="listing-{second.pk}"' in owner_client.get("/listings/?status=archived").content.decode()


def test_the_grid_shows_a_sku_group_and_keeps_the_ticked_one(owner_client, owner):
    first = ListingFactory(owner=owner, title="Oak chair", price=Decimal("20.00"), sku="CH-007")
    second = ListingFactory(owner=owner, title="Pine shelf", price=Decimal("35.00"), sku="ch 7")
    loner = ListingFactory(owner=owner, title="Brass lamp", sku="CH-70")

    page = owner_client.get("/listings/?duplicates=1").content.decode()

    assert f'id="listing-{first.pk}"' in page and f'id="listing-{second.pk}"' in page
    assert f'id="listing-{loner.pk}"' not in page
    response = owner_client.post(
        "/listings/bulk/archive_duplicates/", {"ids": [second.pk]}, headers={"HX-Request": "true"}
    )
    assert "Archived 1 listing as duplicates." in response.content.decode()
    assert Listing.objects.get(pk=first.pk).status == "archived"
    assert Listing.objects.get(pk=second.pk).status == "ready"


def test_the_api_lists_groups_and_keeps_the_oldest_of_each_by_default(api, owner, other_user, twins):
    first, second = twins
    assert api.get("/api/listings/duplicates/").json() == {
        "groups": [{"ids": [first.pk, second.pk], "reason": SAME_TITLE}]
    }
    bad = api.post("/api/listings/duplicates/", {"keep": [999999]}, format="json")
    done = api.post("/api/listings/duplicates/", {}, format="json")

    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "keep", "message": "Listing 999999 has no duplicates."}]
    assert done.json() == {"count": 1}
    assert Listing.objects.get(pk=second.pk).status == "archived"
    assert Listing.objects.filter(owner=other_user, status="archived").count() == 0


@pytest.mark.postgres
def test_the_similar_titles_time_limit_ends_with_their_query(owner, twins):
    # The test runs in a transaction, as a caller inside transaction.atomic would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()
        assert duplicate_groups(owner)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (before,)
