"""What the database itself enforces, bypassing the services on purpose."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from listings.models import Listing, engine_writes
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", Decimal("-0.01")), ("condition", "Broken"), ("title", ""), ("version", 0)],
)
def test_database_refuses_invalid_values(owner, field, value):
    listing = ListingFactory(owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic(), engine_writes():
        Listing.objects.filter(pk=listing.pk).update(**{field: value})


def test_model_clean_uses_the_listing_rules(owner):
    listing = Listing(
        owner=owner,
        title="  Desk   lamp ",
        price=Decimal("3"),
        category="furniture//dining room furniture//dining chairs",
    )
    listing.full_clean()
    assert (listing.title, listing.category) == (
        "Desk lamp",
        "Furniture//Dining Room Furniture//Dining Chairs",
    )
    listing.price = Decimal("-1")
    with pytest.raises(ValidationError) as caught:
        listing.full_clean()
    assert "price" in caught.value.message_dict


def test_listing_indexes_lead_with_owner():
    # They serve every lookup by owner, so the owner's key has no index of its own.
    assert not Listing._meta.get_field("owner").db_index
    for index in Listing._meta.indexes:
        if index.name == "listing_ocr_scan_idx":
            # Deleting a scan finds its listings; only listings with a scan are in it.
            assert index.fields == ["ocr_scan"] and index.condition is not None
            continue
        assert index.fields[0] == "owner", index.name
