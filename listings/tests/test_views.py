from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from listings.models import Listing
from listings.selectors import NEW_ROW_TITLE
from listings.services.changes import listing_create, listing_update
from listings.tests.factories import ListingFactory
from listings.views.grid import PAGE_SIZE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client(client, owner):
    client.force_login(owner)
    return client


def cell_url(listing, field):
    return reverse("listings:cell", args=[listing.pk, field])


def test_grid_page_shows_the_owners_rows_with_stable_hooks(client, owner, other_user):
    mine = ListingFactory(owner=owner, title="Walnut desk")
    ListingFactory(owner=other_user, title="Someone else's lamp")
    response = client.get(reverse("listings:grid"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-listing-id="{mine.pk}"' in html
    assert 'data-field="title"' in html
    assert "Walnut desk" in html
    assert "lamp" not in html
    assert 'id="bulk-bar"' in html


def test_htmx_filter_request_renders_only_the_table_partial(client, owner):
    ListingFactory(owner=owner, title="Red bicycle", price=Decimal("80"))
    ListingFactory(owner=owner, title="Blue kettle", price=Decimal("10"))
    response = client.get(reverse("listings:grid"), {"q": "red bicycle", "ordering": "-price"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="grid-table"' in html
    assert "Red bicycle" in html and "Blue kettle" not in html
    # The header links keep the search and flip the direction of the sorted column.
    assert 'aria-sort="descending"' in html
    assert "q=red+bicycle&amp;ordering=price" in html


def test_infinite_scroll_renders_the_next_rows_only(client, owner):
    ListingFactory.create_batch(PAGE_SIZE + 1, owner=owner)
    first = client.get(reverse("listings:grid"), **HTMX).content.decode()
    assert first.count('id="listing-') == PAGE_SIZE
    # The table scrolls in its own box (frozen header): "intersect" sees that, "revealed" does not.
    assert 'hx-trigger="intersect once"' in first
    rest = client.get(reverse("listings:grid"), {"offset": PAGE_SIZE}, **HTMX).content.decode()
    assert rest.count('id="listing-') == 1
    assert 'id="grid-table"' not in rest
    assert 'hx-trigger="intersect once"' not in rest


def test_a_price_range_stays_in_the_filters_and_the_next_rows(client, owner):
    ListingFactory.create_batch(PAGE_SIZE + 1, owner=owner, price=Decimal("15"))
    ListingFactory(owner=owner, price=Decimal("25"))

    page = client.get(reverse("listings:grid"), {"price_min": "10", "price_max": "19.99"}).content.decode()
    rest = client.get(
        reverse("listings:grid"), {"price_min": "10", "price_max": "19.99", "offset": PAGE_SIZE}, **HTMX
    ).content.decode()

    assert 'name="price_min" type="number" min="0" step="0.01" value="10"' in page
    assert 'name="price_max" type="number" min="0" step="0.01" value="19.99"' in page
    assert "price_min=10&amp;price_max=19.99&amp;offset=50" in page  # the next rows keep the range
    assert rest.count('id="listing-') == 1


def test_bad_filter_is_reported_not_a_server_error(client, owner):
    ListingFactory(owner=owner)
    response = client.get(reverse("listings:grid"), {"has_warnings": "maybe"})
    assert response.status_code == 200
    assert "has_warnings" in response.content.decode()


def test_count_partial(client, owner):
    ListingFactory.create_batch(3, owner=owner, condition="New")
    ListingFactory(owner=owner, condition="Used - Fair")
    response = client.get(reverse("listings:count"), {"condition": "New"}, **HTMX)
    assert response.content.decode() == '<span data-matching="3">3 of 4 listings</span>'


def test_cell_view_and_edit_states(client, owner):
    listing = ListingFactory(owner=owner, title="Walnut desk")
    view = client.get(cell_url(listing, "title"), **HTMX).content.decode()
    assert view.strip().startswith('<td data-field="title" data-state="view"')
    edit = client.get(cell_url(listing, "title"), {"edit": 1}, **HTMX).content.decode()
    assert 'data-state="edit"' in edit
    assert 'name="value" value="Walnut desk"' in edit
    assert f'name="version" value="{listing.version}"' in edit
    assert "/150" in edit


def test_cell_save_goes_through_the_service_and_is_audited(client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    response = client.post(
        cell_url(listing, "price"), {"value": "$1,299.50", "version": listing.version}, **HTMX
    )
    assert response.status_code == 200
    assert 'data-state="saved"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.price == Decimal("1299.50")
    assert listing.version == 2
    entry = AuditEntry.objects.get(object_id=str(listing.pk), action="listing.update")
    assert entry.changes == {"price": ["45.00", "1299.50"]}


def test_cell_validation_error_keeps_the_value_and_message(client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    response = client.post(cell_url(listing, "price"), {"value": "cheap", "version": listing.version}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-state="error"' in html
    assert 'value="cheap"' in html
    assert "is not a price" in html
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")


def test_stale_version_shows_the_other_edit_and_lets_the_user_choose(client, owner):
    listing = ListingFactory(owner=owner, title="Oak chair")
    seen_version = listing.version
    listing_update(listing=listing, data={"title": "Oak chair (sold out)"}, actor=owner)
    response = client.post(
        cell_url(listing, "title"), {"value": "Oak chair, pair", "version": seen_version}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-state="conflict"' in html
    assert "Oak chair (sold out)" in html and "Oak chair, pair" in html
    listing.refresh_from_db()
    assert listing.title == "Oak chair (sold out)"
    # "Use mine" posts the user's value with the version they have now seen.
    assert f'name="version" value="{listing.version}"' in html
    response = client.post(
        cell_url(listing, "title"), {"value": "Oak chair, pair", "version": listing.version}, **HTMX
    )
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "Oak chair, pair"


def test_another_users_listing_is_404_everywhere(client, other_user):
    theirs = ListingFactory(owner=other_user, title="Not yours")
    assert client.get(cell_url(theirs, "title")).status_code == 404
    assert client.post(cell_url(theirs, "title"), {"value": "Mine now", "version": 1}).status_code == 404
    assert client.post(reverse("listings:row_delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("listings:history", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("listing_templates:create"), {"from": theirs.pk}).status_code == 404
    response = client.post(reverse("listings:paste"), {"field": "title", "ids": [theirs.pk], "text": "x"})
    assert response.status_code == 404
    # A bulk action naming someone else's id changes nothing.
    client.post(
        reverse("listings:bulk", args=["set"]), {"ids": [theirs.pk], "field": "category", "value": "Toys"}
    )
    theirs.refresh_from_db()
    assert theirs.title == "Not yours" and theirs.category != "Toys"


def test_unknown_column_is_404(client, owner):
    listing = ListingFactory(owner=owner)
    assert client.get(reverse("listings:cell", args=[listing.pk, "owner"])).status_code == 404


def test_bulk_set_on_ticked_rows(client, owner):
    chosen = ListingFactory.create_batch(2, owner=owner, condition="New")
    untouched = ListingFactory(owner=owner, condition="New")
    response = client.post(
        reverse("listings:bulk", args=["set"]),
        {"ids": [row.pk for row in chosen], "field": "condition", "value": "used fair"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "rows-changed" in response.headers["HX-Trigger"]
    assert "on 2 listings" in response.content.decode()
    assert set(Listing.objects.filter(condition="Used - Fair").values_list("pk", flat=True)) == {
        row.pk for row in chosen
    }
    untouched.refresh_from_db()
    assert untouched.condition == "New"


def test_bulk_set_on_all_matching_uses_the_filters(client, owner):
    ListingFactory.create_batch(3, owner=owner, title="Lamp", offer_shipping=False)
    ListingFactory(owner=owner, title="Chair", offer_shipping=False)
    client.post(
        reverse("listings:bulk", args=["set"]),
        {"all_matching": "1", "q": "lamp", "field": "offer_shipping", "value": "yes"},
        **HTMX,
    )
    assert Listing.objects.filter(offer_shipping=True).count() == 3
    assert not Listing.objects.get(title="Chair").offer_shipping


def test_bulk_set_invalid_value_is_422_with_message(client, owner):
    listing = ListingFactory(owner=owner)
    response = client.post(
        reverse("listings:bulk", args=["set"]),
        {"ids": [listing.pk], "field": "price", "value": "lots"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Price: “lots” is not a price." in response.content.decode()


def test_bulk_without_selection_is_422(client, owner):
    response = client.post(reverse("listings:bulk", args=["set"]), {"field": "price", "value": "1"}, **HTMX)
    assert response.status_code == 422
    assert "Select at least one listing." in response.content.decode()


def test_bulk_price_adjust_by_percent(client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("100.00"))
    client.post(
        reverse("listings:bulk", args=["price"]),
        {"ids": [listing.pk], "kind": "percent", "change": "-15"},
        **HTMX,
    )
    listing.refresh_from_db()
    assert listing.price == Decimal("85.00")


def test_bulk_delete_asks_for_confirmation_first(client, owner):
    rows = ListingFactory.create_batch(2, owner=owner)
    ids = [row.pk for row in rows]
    response = client.post(reverse("listings:bulk", args=["delete"]), {"ids": ids}, **HTMX)
    assert "Delete 2 listings" in response.content.decode()
    assert Listing.objects.count() == 2
    response = client.post(reverse("listings:bulk", args=["delete"]), {"ids": ids, "confirm": "yes"}, **HTMX)
    assert "Deleted 2 listings." in response.content.decode()
    assert Listing.objects.count() == 0


def test_add_row_delete_row_and_remove_empty_rows(client, owner):
    kept = ListingFactory(owner=owner)
    response = client.post(reverse("listings:row_add"), **HTMX)
    html = response.content.decode()
    new = Listing.objects.get(title=NEW_ROW_TITLE)
    assert f'data-listing-id="{new.pk}"' in html and "data-new" in html
    client.post(reverse("listings:row_add"), **HTMX)
    response = client.post(reverse("listings:remove_empty"), **HTMX)
    assert "Removed 2 empty rows." in response.content.decode()
    assert list(Listing.objects.all()) == [kept]
    response = client.post(reverse("listings:row_delete", args=[kept.pk]), **HTMX)
    assert response.status_code == 200
    assert not Listing.objects.exists()


def test_paste_fills_from_the_focused_cell_adds_rows_and_reports_bad_cells(client, owner):
    first = ListingFactory(owner=owner, title="A", price=Decimal("1"))
    second = ListingFactory(owner=owner, title="B", price=Decimal("2"))
    text = 'Lamp\t12.50\r\nShelf\tfree\r\n"Two\nlines"\t7\r\n'
    response = client.post(
        reverse("listings:paste"),
        {
            "field": "title",
            "ids": [first.pk, second.pk],
            "versions": [first.version, second.version],
            "text": text,
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.price) == ("Lamp", Decimal("12.50"))
    # The invalid price is left out and reported; the valid title on its line is saved.
    assert (second.title, second.price) == ("Shelf", Decimal("2.00"))
    assert "Line 2, Price: “free” is not a price." in html
    created = Listing.objects.exclude(pk__in=[first.pk, second.pk]).get()
    assert (created.title, created.price) == ("Two lines", Decimal("7.00"))
    assert 'hx-swap-oob="true"' in html and 'hx-swap-oob="beforeend:#rows"' in html
    # One paste is one batch in the audit log (so one undo step).
    entries = AuditEntry.objects.filter(action__startswith="listing.")
    assert entries.count() == 3
    assert entries.values("batch").distinct().count() == 1


def test_paste_with_a_stale_row_leaves_that_row_alone(client, owner):
    listing = ListingFactory(owner=owner, title="Original")
    listing_update(listing=listing, data={"title": "Changed elsewhere"}, actor=owner)
    response = client.post(
        reverse("listings:paste"),
        {"field": "title", "ids": [listing.pk], "versions": [1], "text": "Mine"},
        **HTMX,
    )
    assert "Changed by another edit" in response.content.decode()
    listing.refresh_from_db()
    assert listing.title == "Changed elsewhere"


def test_category_suggestions(client):
    response = client.get(reverse("listings:categories"), {"value": "dining chairs"}, **HTMX)
    assert '<option value="Furniture//Dining Room Furniture//Dining Chairs">' in response.content.decode()


def test_listing_history_page(client, owner):
    listing = ListingFactory(owner=owner, title="Old title")
    listing_update(listing=listing, data={"title": "New title"}, actor=owner)
    html = client.get(reverse("listings:history", args=[listing.pk])).content.decode()
    assert "Listings edited" in html and "Title “Old title” → “New title”" in html
    assert "listing.update" not in html


def test_user_history_is_the_users_own_and_filterable(client, owner, other_user):
    mine = ListingFactory(owner=owner)
    listing_update(listing=mine, data={"title": "Mine edited"}, actor=owner)
    theirs = ListingFactory(owner=other_user)
    listing_update(listing=theirs, data={"title": "Theirs edited"}, actor=other_user)
    html = client.get(reverse("audit:history")).content.decode()
    assert "Mine edited" in html and "Theirs edited" not in html
    html = client.get(reverse("audit:history"), {"kind": "templates"}, **HTMX).content.decode()
    assert "Mine edited" not in html and "Nothing recorded for these filters." in html


def test_pages_need_login(client):
    client.logout()
    response = client.get(reverse("listings:grid"))
    assert response.status_code == 302 and "login" in response.url


def test_find_replace_previews_then_replaces_in_the_selection(client, owner):
    chosen = ListingFactory(owner=owner, title="Oak chair", description="An oak chair")
    other = ListingFactory(owner=owner, title="Oak table")
    data = {"ids": [chosen.pk], "find": "oak", "replace": "Walnut", "fields": ["title", "description"]}
    response = client.post(
        reverse("listings:bulk", args=["find_replace"]), {**data, "preview": "yes"}, **HTMX
    )
    html = response.content.decode()
    assert "<strong>1 listing</strong> would change." in html
    assert "Walnut chair" in html and "Replace in 1 listing" in html
    chosen.refresh_from_db()
    assert chosen.title == "Oak chair"
    response = client.post(reverse("listings:bulk", args=["find_replace"]), data, **HTMX)
    assert "Replaced in 1 listing." in response.content.decode()
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.title, chosen.description, other.title) == ("Walnut chair", "An Walnut chair", "Oak table")


def test_find_replace_bad_regex_is_422(client, owner):
    listing = ListingFactory(owner=owner)
    data = {"ids": [listing.pk], "find": "(", "replace": "", "fields": ["title"], "regex": "on"}
    response = client.post(reverse("listings:bulk", args=["find_replace"]), data, **HTMX)
    assert response.status_code == 422
    assert "Not a valid regular expression" in response.content.decode()


def test_duplicate_row_and_selection(client, owner):
    listing = ListingFactory(owner=owner, title="Lamp")
    response = client.post(reverse("listings:row_duplicate", args=[listing.pk]), **HTMX)
    copy = Listing.objects.exclude(pk=listing.pk).get()
    assert f'data-listing-id="{copy.pk}"' in response.content.decode()
    assert copy.title == "Lamp"
    client.post(reverse("listings:bulk", args=["duplicate"]), {"ids": [listing.pk, copy.pk]}, **HTMX)
    assert Listing.objects.filter(title="Lamp").count() == 4


def test_undo_and_redo_a_cell_edit_and_a_bulk_change(client, owner):
    listing = ListingFactory(owner=owner, title="Lamp", price=Decimal("10.00"))
    client.post(cell_url(listing, "title"), {"value": "Desk lamp", "version": listing.version}, **HTMX)
    client.post(
        reverse("listings:bulk", args=["price"]),
        {"ids": [listing.pk], "kind": "amount", "change": "5"},
        **HTMX,
    )
    buttons = client.get(reverse("listings:undo_buttons"), **HTMX).content.decode()
    assert "Undo <small>(2)</small>" in buttons and 'id="redo"' in buttons
    response = client.post(reverse("listings:undo"), **HTMX)
    assert "rows-changed" in response.headers["HX-Trigger"]
    listing.refresh_from_db()
    assert (listing.title, listing.price) == ("Desk lamp", Decimal("10.00"))
    client.post(reverse("listings:undo"), **HTMX)
    listing.refresh_from_db()
    assert listing.title == "Lamp"
    client.post(reverse("listings:redo"), **HTMX)
    listing.refresh_from_db()
    assert listing.title == "Desk lamp"
    assert "Redo <small>(1)</small>" in client.get(reverse("listings:undo_buttons"), **HTMX).content.decode()


def test_nothing_to_undo_is_reported(client, owner):
    response = client.post(reverse("listings:undo"), **HTMX)
    assert response.status_code == 422
    assert "Nothing to undo." in response.content.decode()


def test_revert_from_the_listing_history(client, owner):
    listing = ListingFactory(owner=owner, title="First")
    listing_update(listing=listing, data={"title": "Second"}, actor=owner)
    listing_update(listing=listing, data={"title": "Third"}, actor=owner)
    first_change = AuditEntry.objects.filter(object_id=str(listing.pk)).order_by("id").first()
    html = client.get(reverse("listings:history", args=[listing.pk])).content.decode()
    revert_url = reverse("listings:revert", args=[listing.pk, first_change.pk])
    assert revert_url in html
    response = client.post(revert_url, follow=True)
    assert "Reverted to before the change" in response.content.decode()
    listing.refresh_from_db()
    assert listing.title == "First"


def test_revert_with_another_listings_entry_is_404(client, owner):
    listing = ListingFactory(owner=owner)
    elsewhere = ListingFactory(owner=owner)
    listing_update(listing=elsewhere, data={"title": "Changed"}, actor=owner)
    entry = AuditEntry.objects.get(object_id=str(elsewhere.pk))
    assert client.post(reverse("listings:revert", args=[listing.pk, entry.pk])).status_code == 404


def test_history_offers_no_revert_for_the_entry_that_created_the_listing(client, owner):
    listing = listing_create(owner=owner, data={"title": "Fresh", "price": "5"}, actor=owner)
    html = client.get(reverse("listings:history", args=[listing.pk])).content.decode()
    assert "Listings added" in html and "Title “Fresh”" in html and "Revert to before this" not in html
