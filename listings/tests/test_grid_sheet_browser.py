"""Spreadsheet behaviour of the grid in Chromium: typing edits, one editor at a
time, range fill and clear, column order and saved views, stale markers."""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from listings.fields import LISTING_FIELDS
from listings.models import Listing, SavedView, UndoStep
from listings.services.changes import listing_create
from listings.tests.factories import ListingFactory
from listings.tests.grid_page import cell, open_grid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_edits_space_types_and_one_editor_is_open_at_a_time(owner_page, owner, artifacts_dir):
    chair = ListingFactory(owner=owner, title="Oak chair")
    table = ListingFactory(owner=owner, title="Pine table")
    page = owner_page
    open_grid(page, "?ordering=title")
    title = cell(page, chair, "title")
    title.click()
    # Space types a space (it no longer ticks the row's box).
    page.keyboard.type(" Big oak chair")
    editor = title.locator("input[name=value]")
    expect(editor).to_have_value(" Big oak chair")
    expect(page.locator(f"tr[data-listing-id='{chair.pk}'] input.row-select")).not_to_be_checked()
    editor.fill("Big oak chair")
    # Opening another cell saves the open one: never two editors.
    cell(page, table, "title").dblclick()
    expect(cell(page, table, "title").locator("input[name=value]")).to_be_focused()
    expect(page.locator("td.editing")).to_have_count(1)
    expect(title).to_have_text("Big oak chair")
    page.keyboard.press("Escape")
    chair.refresh_from_db()
    assert chair.title == "Big oak chair"
    page.screenshot(path=artifacts_dir / "grid-typing.png")


def test_fill_down_with_ctrl_d_and_the_fill_handle_then_delete_clears(owner_page, owner, artifacts_dir):
    rows = [
        ListingFactory(owner=owner, title=f"Row {n}", category="Home", description="") for n in range(1, 6)
    ]
    page = owner_page
    open_grid(page, "?ordering=title")
    first_price = cell(page, rows[0], "price")
    first_price.click()
    page.keyboard.type("12.5")
    page.keyboard.press("Enter")
    expect(first_price).to_have_attribute("data-state", "saved")

    # Ctrl+D: the range's first row into the rows below it (the saved cell keeps
    # the focus; a click on it would open its editor again).
    expect(first_price).to_be_focused()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    steps = UndoStep.objects.count()
    page.keyboard.press("Control+d")
    expect(page.locator("#paste-report")).to_contain_text("Filled 2 cells.")
    expect(cell(page, rows[2], "price")).to_have_text("12.50")
    assert UndoStep.objects.count() == steps + 1

    # The fill handle, dragged from the range's corner down two more rows.
    # (The handle is drawn again whenever part of the page settles: aim at the
    # corner of the range's last cell, where it sits.)
    expect(cell(page, rows[2], "price").locator(".fill-handle")).to_have_count(1)
    corner = cell(page, rows[2], "price").bounding_box()
    target = cell(page, rows[4], "price").bounding_box()
    page.mouse.move(corner["x"] + corner["width"] - 5, corner["y"] + corner["height"] - 5)
    page.mouse.down()
    page.mouse.move(target["x"] + 10, target["y"] + target["height"] / 2, steps=5)
    expect(cell(page, rows[4], "price")).to_have_class(re.compile("fill-target"))
    page.screenshot(path=artifacts_dir / "grid-fill-handle.png")
    page.mouse.up()
    expect(page.locator("#paste-report")).to_contain_text("Filled 2 cells.")
    expect(cell(page, rows[4], "price")).to_have_text("12.50")
    assert sorted(set(Listing.objects.values_list("price", flat=True))) == [Decimal("12.50")]

    # Delete clears the range (category here); one undo brings it back.
    cell(page, rows[0], "category").click()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Delete")
    expect(page.locator("#paste-report")).to_contain_text("Cleared 2 cells.")
    expect(cell(page, rows[1], "category")).to_have_text("")
    page.locator("#undo").click()
    expect(page.locator("#grid-message")).to_contain_text("Undone:")
    assert Listing.objects.filter(category="Home").count() == 5
    page.reload()
    expect(cell(page, rows[1], "category")).to_have_text("Home")


def category_second_saved(response):
    if not response.url.endswith("/listings/layout/"):
        return False
    layout = json.loads(parse_qs(response.request.post_data)["layout"][0])
    return layout["order"][1] == "category"


def test_column_order_is_saved_and_a_saved_view_opens_in_one_click(owner_page, owner, artifacts_dir):
    ListingFactory(owner=owner, title="Red bike", price=Decimal("80"))
    ListingFactory(owner=owner, title="Blue bike", price=Decimal("20"))
    ListingFactory(owner=owner, title="Lamp", price=Decimal("10"))
    page = owner_page
    open_grid(page)
    page.get_by_text("Columns", exact=True).click()
    # Wait for the save of the final order (on a slow machine the clicks may be saved in
    # more than one request).
    with page.expect_response(category_second_saved):
        for _ in range(3):
            page.get_by_role("button", name="Move Category left").click()
    headers = page.locator("#grid thead th[data-col]")
    expect(headers).to_have_count(
        len(LISTING_FIELDS)
    )  # every field a column; the photo column has no data-col
    expect(page.locator("#grid thead th[data-col]").nth(1)).to_have_attribute("data-col", "category")
    page.reload()
    expect(page.locator("#grid thead th[data-col]").nth(1)).to_have_attribute("data-col", "category")
    first_row = page.locator("tr[data-listing-id]").first.locator("td[data-field]")
    expect(first_row.nth(1)).to_have_attribute("data-field", "category")

    page.locator("#q").fill("bike")
    expect(page.locator("tr[data-listing-id]")).to_have_count(2)
    page.locator("th[data-col='price'] a").click()
    expect(page).to_have_url(re.compile(r"q=bike.*ordering=price"))
    page.get_by_text("Save this view…").click()
    page.get_by_label("Name", exact=True).fill("Bikes by price")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".messages")).to_contain_text("Saved the view “Bikes by price”.")
    view = SavedView.objects.get(owner=owner)
    assert view.query == "ordering=price&q=bike"
    assert view.columns["order"][1] == "category"

    page.get_by_role("link", name="All listings").click()
    expect(page.locator("tr[data-listing-id]")).to_have_count(3)
    page.get_by_role("button", name="Bikes by price", exact=True).click()
    expect(page).to_have_url(re.compile(r"/listings/\?ordering=price&q=bike$"))
    expect(page.locator("td[data-field='title']")).to_have_text(["Blue bike", "Red bike"])
    expect(page.locator("#q")).to_have_value("bike")
    page.screenshot(path=artifacts_dir / "grid-saved-view.png")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.screenshot(path=artifacts_dir / "grid-saved-view-dark.png")


def test_the_warning_marker_and_the_empty_row_follow_the_edits(owner_page, owner, artifacts_dir):
    page = owner_page
    open_grid(page)
    expect(page.locator("#rows tr.empty")).to_be_visible()
    page.locator("#add-row").click()
    expect(page.locator("tr[data-listing-id]")).to_have_count(1)
    expect(page.locator("#rows tr.empty")).to_have_count(0)
    page.keyboard.press("Escape")

    listing = listing_create(owner=owner, data={"title": "Chair", "price": "5", "category": "Not one"})
    open_grid(page, "?ordering=title")
    marker = page.locator(f"#warnings-{listing.pk} .warning-marker")
    expect(marker).to_have_text("⚠ 1")
    category = cell(page, listing, "category")
    category.dblclick()
    category.locator("input[name=value]").fill("Furniture//Dining Room Furniture//Dining Chairs")
    page.keyboard.press("Enter")
    expect(category).to_have_attribute("data-state", "saved")
    expect(marker).to_have_count(0)
    page.screenshot(path=artifacts_dir / "grid-warning-cleared.png")
