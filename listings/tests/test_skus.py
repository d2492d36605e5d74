"""SKUs are unique per owner, whatever their case: the write path refuses a second
one naming the listing that holds it, for creates, edits, bulk changes and undo."""

import pytest

from listings.models import Listing
from listings.services.bulk import listings_bulk_upsert
from listings.services.changes import NewListing, changes_apply, listing_create, listing_update
from listings.services.undo import undo_last
from listings.skus import sku_holders
from listings.tests.factories import ListingFactory
from listings.validation import clean_listing
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _errors(caught) -> list[tuple[str, str, int | None]]:
    return [(e.field, e.message, e.index) for e in caught.value.errors]


def test_a_second_listing_with_a_sku_is_refused_naming_the_first_in_any_case(owner):
    first = ListingFactory(owner=owner, sku="AB-1", title="Blue chair")

    with pytest.raises(InvalidInput) as caught:
        listing_create(owner=owner, data={"title": "Red chair", "price": 5, "sku": "ab-1"})

    assert _errors(caught) == [
        ("sku", f"The SKU “ab-1” is already used by listing {first.pk} (“Blue chair”).", 0)
    ]
    assert Listing.objects.count() == 1


def test_skus_are_per_owner_and_blank_is_no_sku(owner, other_user):
    ListingFactory(owner=other_user, sku="AB-1")
    ListingFactory(owner=owner, sku="")

    listing_create(owner=owner, data={"title": "Mine", "price": 5, "sku": "AB-1"})
    listing_create(owner=owner, data={"title": "No SKU", "price": 5})

    assert Listing.objects.filter(owner=owner).count() == 3


def test_an_edit_taking_a_held_sku_is_refused_and_changing_its_own_case_is_not(owner):
    holder = ListingFactory(owner=owner, sku="AB-1", title="Blue chair")
    other = ListingFactory(owner=owner, sku="CD-2")

    with pytest.raises(InvalidInput) as caught:
        listing_update(listing=other, data={"sku": "Ab-1"}, actor=owner)
    listing_update(listing=holder, data={"sku": "ab-1"}, actor=owner)

    assert _errors(caught) == [
        (
            "sku",
            f"Listing {other.pk}: The SKU “Ab-1” is already used by listing {holder.pk} (“Blue chair”).",
            None,
        )
    ]
    assert Listing.objects.get(pk=holder.pk).sku == "ab-1"


def test_two_new_listings_of_one_change_with_one_sku_are_refused(owner):
    values = clean_listing({"title": "Lamp", "price": 5, "sku": "L-1"})

    with pytest.raises(InvalidInput) as caught:
        changes_apply(
            actor=owner,
            action="test.create",
            create=[
                NewListing(owner_id=owner.pk, values=values),
                NewListing(owner_id=owner.pk, values=values),
            ],
        )

    assert _errors(caught) == [
        ("sku", "The SKU “L-1” is also given to new listing 1 of this change; a SKU names one listing.", 1)
    ]
    assert not Listing.objects.exists()


def test_a_bulk_change_giving_one_sku_to_two_listings_or_moving_one_is_refused(owner):
    first, second = ListingFactory(owner=owner, sku="A"), ListingFactory(owner=owner, sku="B")

    with pytest.raises(InvalidInput) as same:
        listings_bulk_upsert(
            owner=owner, items=[{"id": first.pk, "sku": "C"}, {"id": second.pk, "sku": "c"}], actor=owner
        )
    with pytest.raises(InvalidInput) as moved:
        listings_bulk_upsert(
            owner=owner, items=[{"id": first.pk, "sku": "B"}, {"id": second.pk, "sku": "D"}], actor=owner
        )

    assert [e.message for e in same.value.errors] == [
        f"Listing {second.pk}: The SKU “c” is also given to listing {first.pk}; a SKU names one listing."
    ]
    assert [e.message for e in moved.value.errors] == [
        f"Listing {first.pk}: The SKU “B” moves from listing {second.pk} in the same change; "
        "clear it there first."
    ]
    assert sorted(Listing.objects.values_list("sku", flat=True)) == ["A", "B"]


def test_undo_gives_a_sku_back_when_the_listing_holding_it_is_removed_in_the_same_step(owner):
    listing = ListingFactory(owner=owner, sku="A")
    # One step: the SKU leaves the listing and a new listing takes it.
    changes_apply(
        actor=owner,
        action="test.move",
        update=[listing.pk],
        compute=lambda row: {"sku": ""},
        create=[
            NewListing(owner_id=owner.pk, values=clean_listing({"title": "New", "price": 1, "sku": "A"}))
        ],
    )

    undo_last(user=owner)

    assert list(Listing.objects.values_list("pk", "sku")) == [(listing.pk, "A")]


def test_sku_holders_skips_the_listings_it_is_told_to(owner):
    held = ListingFactory(owner=owner, sku="Z-9", title="Zither")

    assert sku_holders(owner.pk, ["z-9", "nope", ""]) == {"Z-9": (held.pk, "Zither")}
    assert sku_holders(owner.pk, ["z-9"], excluding=[held.pk]) == {}
