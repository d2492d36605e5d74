"""The history page as a seller reads it: one line per operation in words, opened
into each listing's changes, with no internal codes, scoped to the seller."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Operation
from imports.services import import_commit, import_create
from imports.tests.import_files import csv_bytes, upload
from listings.models import Listing
from listings.services.bulk import listings_bulk_delete, listings_bulk_set, listings_price_adjust
from listings.services.changes import listing_update
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

# What the log stores that a seller must never read.
CODES = ("listing.", "template.", "owner:", "extra", "{}", "None", "batch")


@pytest.fixture
def seller_client(client, owner):
    client.force_login(owner)
    return client


def history(client, **params) -> str:
    return client.get(reverse("audit:history"), params).content.decode()


def opened(client, operation: Operation) -> str:
    return client.get(reverse("audit:operation", args=[operation.pk])).content.decode()


def assert_no_codes(html: str) -> None:
    """Nothing in the filters, the lines or the opened details reads as a code."""
    main = html[html.find('<main id="main"') : html.find("</main>")] if "<main" in html else html
    for code in CODES:
        assert code not in main, code


def test_a_price_adjust_is_one_line_naming_the_listings(seller_client, owner):
    names = ["Oak table", "Bike helmet", "Lamp", "Rug"]
    for index, title in enumerate(names):
        ListingFactory(owner=owner, title=title, price=Decimal("18.00") + index * 2)
    listings_price_adjust(listings=Listing.objects.filter(owner=owner), actor=owner, percent=Decimal("-10"))

    page = history(seller_client)
    assert page.count("You changed the price of 4 listings (−10 %): ") == 1
    oak = Listing.objects.get(title="Oak table")
    assert f'<a href="{reverse("listings:history", args=[oak.pk])}">Oak table</a>' in page
    assert "…" in page  # four listings, three named
    assert_no_codes(page)

    details = opened(seller_client, Operation.objects.get(actor=owner, action="listing.price_adjust"))
    assert "Price 18.00 → 16.20" in details
    assert "Price 24.00 → 21.60" in details
    assert_no_codes(details)


def test_edits_read_as_field_changes_and_each_kind_is_listed_once(seller_client, owner):
    chair = ListingFactory(owner=owner, title="Chair", offer_shipping=False)
    listing_update(listing=chair, data={"offer_shipping": True, "title": "Oak chair"}, actor=owner)
    listings_bulk_set(listings=Listing.objects.filter(pk=chair.pk), values={"condition": "New"}, actor=owner)
    listing_update(listing=chair, data={"price": "50"}, actor=owner)

    page = history(seller_client, kind="listings-edited")
    assert "You logged in" not in page
    assert "You changed the title and offer shipping of 1 listing: " in page
    assert "You changed the condition of 1 listing: " in page
    assert "You changed the price of 1 listing: " in page
    # A cell edit and a bulk set read alike: one option in the Action filter.
    assert page.count(">Listings edited</option>") == 1
    assert page.count(">Log-ins</option>") == 1
    assert_no_codes(page)

    first = Operation.objects.filter(actor=owner, action="listing.update").order_by("id").first()
    details = opened(seller_client, first)
    assert "Title “Chair” → “Oak chair”" in details
    assert "Offer shipping No → Yes" in details


def test_an_import_opens_into_the_listings_it_changed(seller_client, owner):
    helmet = ListingFactory(owner=owner, title="Bike helmet", price=Decimal("30.00"))
    rows = [["id", "Title", "Price"], [helmet.pk, "Bike helmet", 27]]
    files = [upload("prices.csv", csv_bytes(rows))]
    preview = import_create(owner=owner, files=files, mode="update_matching")
    import_commit(upload=preview, actor=owner)

    page = history(seller_client)
    assert "You imported prices.csv (1 updated)" in page
    details = opened(seller_client, Operation.objects.get(actor=owner, action="listing.import"))
    assert f'<a href="{reverse("listings:history", args=[helmet.pk])}">Bike helmet</a>' in details
    assert "Price 30.00 → 27.00" in details
    assert_no_codes(details)


def test_each_operation_offers_its_own_undo_which_refuses_while_a_later_change_stands(seller_client, owner):
    lamp = ListingFactory(owner=owner, title="Lamp", price=Decimal("10.00"))
    chair = ListingFactory(owner=owner, title="Chair", price=Decimal("40.00"))
    chair_edit = listing_update(listing=chair, data={"price": "35"}, actor=owner)
    first_lamp_edit = listing_update(listing=lamp, data={"price": "12"}, actor=owner)
    listing_update(listing=lamp, data={"price": "15"}, actor=owner)
    batches = {
        entry.object_id: entry.batch
        for entry in AuditEntry.objects.filter(action="listing.update").order_by("id")
        if entry.changes.get("price", [None])[1] in ("35.00", "12.00")
    }
    chair_undo = reverse("listings:operation_undo", args=[batches[str(chair_edit.pk)]])
    lamp_undo = reverse("listings:operation_undo", args=[batches[str(first_lamp_edit.pk)]])

    page = history(seller_client)
    assert page.count('hx-post="/listings/operations/') == 3
    assert f'hx-post="{chair_undo}"' in page and f'hx-post="{lamp_undo}"' in page

    # The older lamp edit: a later change to the lamp stands in the way, and says so.
    refused = seller_client.post(lamp_undo, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "Lamp" in refused.content.decode()
    lamp.refresh_from_db()
    assert lamp.price == Decimal("15.00")

    # The chair edit is older than both, but nothing later touched the chair.
    done = seller_client.post(chair_undo, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    chair.refresh_from_db()
    assert chair.price == Decimal("40.00")
    assert f'hx-post="{chair_undo}"' not in history(seller_client)


def test_another_sellers_operations_are_not_shown_or_opened(seller_client, owner, other_user):
    theirs = ListingFactory(owner=other_user, title="Their secret lamp")
    listing_update(listing=theirs, data={"price": "1"}, actor=other_user)

    assert "Their secret lamp" not in history(seller_client)
    theirs_edit = Operation.objects.get(actor=other_user)
    response = seller_client.get(reverse("audit:operation", args=[theirs_edit.pk]))
    assert response.status_code == 404


def test_a_deleted_listing_is_named_by_the_title_its_history_kept(seller_client, owner):
    ListingFactory(owner=owner, title="Old sofa")
    listings_bulk_delete(listings=Listing.objects.filter(owner=owner), actor=owner)
    page = history(seller_client)
    assert "You deleted 1 listing: Old sofa (deleted)" in page


def test_operation_undo_goes_back_to_a_next_url_never_a_view_name(seller_client, owner):
    lamp = ListingFactory(owner=owner, title="Lamp", price=Decimal("10.00"))
    listing_update(listing=lamp, data={"price": "12"}, actor=owner)
    batch = AuditEntry.objects.get(action="listing.update").batch
    # "csv" is a relative URL here, and also a name redirect() would try to reverse.
    response = seller_client.post(reverse("listings:operation_undo", args=[batch]), {"next": "csv"})
    assert response.status_code == 302
    assert response["Location"] == "csv"
