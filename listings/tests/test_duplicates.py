"""Likely duplicates: groups by the same title (any case, spacing, punctuation) and
price, or a near-identical title on PostgreSQL; "keep one, archive the rest" is one
undo step at every door."""

from decimal import Decimal

import pytest

from listings.duplicates import SAME_TITLE, SIMILAR_TITLE, duplicate_groups
from listings.models import Listing, UndoStep
from listings.services.duplicates import duplicates_archive
from listings.services.undo import undo_last
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
