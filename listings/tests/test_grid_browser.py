"""The spreadsheet page in a real browser (system Chromium via Playwright)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from listings.demo import demo_rows
from listings.models import Listing
from listings.services.changes import listing_create, listing_update, listings_create_many
from listings.tests.factories import ListingFactory
from listings.tests.grid_page import cell, open_grid
from listings.validation import clean_listing
from listings.views.grid import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_a_cell_with_the_keyboard(owner_page, owner):
    listing = ListingFactory(owner=owner, title="Oak chair", price=Decimal("45.00"))
    page = owner_page
    open_grid(page)
    title = cell(page, listing, "title")
    title.click()
    expect(title).to_be_focused()
    page.keyboard.press("Enter")
    editor = title.locator("input[name=value]")
    expect(editor).to_be_focused()
    expect(title.locator(".counter")).to_have_text("9/150")
    editor.fill("Oak chair, solid")
    expect(title.locator(".counter")).to_have_text("16/150")
    # Tab saves and moves to the next cell, which then opens with Enter.
    page.keyboard.press("Tab")
    price = cell(page, listing, "price")
    expect(price).to_be_focused()
    expect(title).to_have_attribute("data-state", "saved")
    expect(title).to_have_text("Oak chair, solid")
    page.keyboard.press("Enter")
    expect(price.locator("input[name=value]")).to_be_focused()
    page.keyboard.type("50")
    page.keyboard.press("Enter")
    expect(price).to_have_attribute("data-state", "saved")
    expect(price).to_have_text("50.00")
    expect(price).to_be_focused()
    # Escape cancels an edit; arrows move.
    page.keyboard.press("ArrowLeft")
    expect(title).to_be_focused()
    page.keyboard.press("Enter")
    expect(title.locator("input[name=value]")).to_be_focused()
    title.locator("input[name=value]").fill("Thrown away")
    page.keyboard.press("Escape")
    expect(title).to_have_attribute("data-state", "view")
    expect(title).to_have_text("Oak chair, solid")
    listing.refresh_from_db()
    assert (listing.title, listing.price, listing.version) == ("Oak chair, solid", Decimal("50.00"), 3)
    # Persisted: a fresh page shows the saved values.
    page.reload()
    expect(cell(page, listing, "title")).to_have_text("Oak chair, solid")


def test_a_validation_error_stays_on_the_cell(owner_page, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    page = owner_page
    open_grid(page)
    price = cell(page, listing, "price")
    price.dblclick()
    price.locator("input[name=value]").fill("cheap")
    page.keyboard.press("Enter")
    expect(price).to_have_attribute("data-state", "error")
    expect(price.locator(".cell-error")).to_have_text("“cheap” is not a price.")
    expect(price.locator("input[name=value]")).to_have_value("cheap")
    expect(price.locator("input[name=value]")).to_be_focused()
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    # Correcting the value saves it.
    price.locator("input[name=value]").fill("39.99")
    page.keyboard.press("Enter")
    expect(price).to_have_attribute("data-state", "saved")
    listing.refresh_from_db()
    assert listing.price == Decimal("39.99")


def test_a_stale_edit_shows_the_other_change_and_lets_the_user_choose(owner_page, owner):
    listing = ListingFactory(owner=owner, title="Oak chair")
    page = owner_page
    open_grid(page)
    title = cell(page, listing, "title")
    title.dblclick()
    title.locator("input[name=value]").fill("Oak chair, pair")
    # Someone else saves the same listing while the editor is open.
    listing_update(listing=listing, data={"title": "Oak chair (sold)"}, actor=owner)
    page.keyboard.press("Enter")
    expect(title).to_have_attribute("data-state", "conflict")
    expect(title.locator(".theirs")).to_have_text("Oak chair (sold)")
    expect(title.locator(".mine")).to_have_text("Oak chair, pair")
    title.get_by_role("button", name="Use mine").click()
    expect(title).to_have_attribute("data-state", "saved")
    listing.refresh_from_db()
    assert (listing.title, listing.version) == ("Oak chair, pair", 3)


def test_category_editor_suggests_facebook_categories(owner_page, owner):
    listing = ListingFactory(owner=owner, category="")
    page = owner_page
    open_grid(page)
    category = cell(page, listing, "category")
    category.dblclick()
    category.locator("input[name=value]").press_sequentially("dining chairs")
    expect(page.locator("#category-options option").first).to_have_attribute(
        "value", "Furniture//Dining Room Furniture//Dining Chairs"
    )


def test_bulk_set_on_a_shift_click_selection(owner_page, owner):
    rows = [ListingFactory(owner=owner, title=f"Lamp {n}", condition="New") for n in range(4)]
    page = owner_page
    open_grid(page, "?ordering=title")
    expect(page.locator("#bulk-bar")).to_be_hidden()
    page.locator(f"tr[data-listing-id='{rows[0].pk}'] input.row-select").click()
    page.locator(f"tr[data-listing-id='{rows[2].pk}'] input.row-select").click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    bar = page.locator("#bulk-bar")
    bar.get_by_label("Field to set").select_option("condition")
    bar.get_by_label("New value").fill("Used - Fair")
    bar.get_by_role("button", name="Set", exact=True).click()
    expect(page.locator("#grid-message")).to_contain_text("Set condition on 3 listings.")
    expect(cell(page, rows[0], "condition")).to_have_text("Used - Fair")
    assert set(Listing.objects.filter(condition="Used - Fair").values_list("pk", flat=True)) == {
        row.pk for row in rows[:3]
    }
    # The table reloaded, and the rows acted on stay selected for the next action.
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    for row in rows[:3]:
        expect(page.locator(f"tr[data-listing-id='{row.pk}'] input.row-select")).to_be_checked()


def test_select_all_matching_then_delete_with_confirmation(owner_page, owner):
    ListingFactory.create_batch(105, owner=owner, title="Bulk lamp")
    ListingFactory(owner=owner, title="Keep me")
    page = owner_page
    open_grid(page, "?q=lamp")
    page.locator("#select-page").check()
    expect(page.locator("#selection-count")).to_have_text(f"{PAGE_SIZE} selected")
    page.get_by_role("button", name="Select all 105 matching").click()
    expect(page.locator("#selection-count")).to_have_text("All 105 matching selected")
    page.locator("#bulk-bar").get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Delete 105 listings").click()
    expect(page.locator("#grid-message")).to_contain_text("Deleted 105 listings.")
    assert list(Listing.objects.values_list("title", flat=True)) == ["Keep me"]


def test_paste_a_block_from_a_spreadsheet(owner_page, owner, artifacts_dir):
    first = ListingFactory(owner=owner, title="First", price=Decimal("1"))
    second = ListingFactory(owner=owner, title="Second", price=Decimal("2"))
    page = owner_page
    open_grid(page, "?ordering=title")
    cell(page, first, "title").click()
    # 3 lines × 2 columns, as Excel puts it on the clipboard; one bad price.
    block = "Desk lamp\t12.50\r\nBook shelf\tfree\r\nArm chair\t80\r\n"
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        block,
    )
    report = page.locator("#paste-report")
    expect(report).to_contain_text("Pasted 6 cells and added 1 row.")
    expect(report).to_contain_text("Line 2, Price: “free” is not a price.")
    expect(cell(page, first, "title")).to_have_text("Desk lamp")
    expect(cell(page, second, "price")).to_have_class("paste-error")
    expect(page.locator("#grid-count")).to_have_text("3 of 3 listings")
    created = Listing.objects.get(title="Arm chair")
    expect(cell(page, created, "price")).to_have_text("80.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.price) == ("Desk lamp", Decimal("12.50"))
    assert (second.title, second.price) == ("Book shelf", Decimal("2.00"))
    page.screenshot(path=artifacts_dir / "grid-paste.png")


def test_find_and_replace_with_a_preview_count(owner_page, owner):
    lamps = [ListingFactory(owner=owner, title=f"Brass lamp {n}") for n in range(3)]
    ListingFactory(owner=owner, title="Brass bed")
    page = owner_page
    open_grid(page, "?q=lamp")
    page.locator("#select-page").check()
    bar = page.locator("#bulk-bar")
    bar.get_by_label("Find", exact=True).fill("brass")
    bar.get_by_label("Replace with").fill("Copper")
    bar.get_by_role("button", name="Preview").click()
    preview = page.locator("#find-preview")
    expect(preview).to_contain_text("3 listings would change.")
    expect(preview).to_contain_text("Copper lamp 0")
    assert Listing.objects.filter(title__startswith="Copper").count() == 0
    preview.get_by_role("button", name="Replace in 3 listings").click()
    expect(page.locator("#grid-message")).to_contain_text("Replaced in 3 listings.")
    expect(cell(page, lamps[0], "title")).to_have_text("Copper lamp 0")
    assert Listing.objects.filter(title__startswith="Copper").count() == 3
    assert Listing.objects.filter(title="Brass bed").exists()


def test_undo_and_redo_with_keys_and_buttons(owner_page, owner):
    listing = ListingFactory(owner=owner, title="Lamp")
    page = owner_page
    open_grid(page)
    title = cell(page, listing, "title")
    expect(page.locator("#undo")).to_be_disabled()
    title.dblclick()
    title.locator("input[name=value]").fill("Desk lamp")
    page.keyboard.press("Enter")
    expect(title).to_have_text("Desk lamp")
    expect(page.locator("#undo")).to_be_enabled()
    expect(title).to_be_focused()
    page.keyboard.press("Control+z")
    expect(page.locator("#grid-message")).to_contain_text("Undone: listings edited (1 listing).")
    expect(cell(page, listing, "title")).to_have_text("Lamp")
    listing.refresh_from_db()
    assert listing.title == "Lamp"
    page.locator("body").press("Control+y")
    expect(cell(page, listing, "title")).to_have_text("Desk lamp")
    page.get_by_role("button", name="Undo").click()
    expect(cell(page, listing, "title")).to_have_text("Lamp")
    page.get_by_role("button", name="Redo").click()
    expect(cell(page, listing, "title")).to_have_text("Desk lamp")
    listing.refresh_from_db()
    assert listing.title == "Desk lamp"


def test_dark_mode_toggle_is_remembered(owner_page, owner, artifacts_dir):
    listings_create_many(owner=owner, rows=[clean_listing(row) for row in demo_rows(24)])
    listing_create(
        owner=owner, data={"title": "VINTAGE RIFLE SCOPE", "price": "45", "category": "Not a real category"}
    )
    page = owner_page
    page.emulate_media(color_scheme="light")
    open_grid(page)
    page.locator("tr[data-listing-id] input.row-select").nth(1).click()
    page.locator("tr[data-listing-id] input.row-select").nth(3).click(modifiers=["Shift"])
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.screenshot(path=artifacts_dir / "grid-light.png")
    toggle = page.locator("#theme-toggle")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(background) == "rgb(17, 20, 24)"
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) == "rgb(17, 20, 24)"
    expect(page.locator(".warning-marker")).to_have_text("⚠ 3")
    page.locator("tr[data-listing-id] input.row-select").nth(1).click()
    page.locator("tr[data-listing-id] input.row-select").nth(3).click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    page.screenshot(path=artifacts_dir / "grid-dark.png")


def test_dark_mode_follows_the_system_until_toggled(owner_page, owner):
    page = owner_page
    page.emulate_media(color_scheme="dark")
    open_grid(page)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(17, 20, 24)"
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")


def test_status_indicator_opens_with_the_keyboard(owner_page, owner):
    page = owner_page
    open_grid(page)
    status = page.locator("#backend-status")
    page.wait_for_function("document.querySelector('#backend-status .dot').dataset.state !== 'unknown'")
    expect(status.locator(".label")).to_have_text("Backend ok")
    status.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(status.locator("dt", has_text="Database")).to_be_visible()
    expect(status.locator("dt", has_text="Cache")).to_be_visible()


def test_shortcut_help_and_hidden_columns(owner_page, owner):
    listing = ListingFactory(owner=owner)
    page = owner_page
    open_grid(page)
    page.locator("body").press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_text("Columns", exact=True).click()
    with page.expect_response(lambda response: response.url.endswith("/listings/layout/")):
        page.locator("[data-column-toggle='description']").uncheck()
    expect(cell(page, listing, "description")).to_be_hidden()
    page.reload()
    expect(cell(page, listing, "title")).to_be_visible()
    expect(cell(page, listing, "description")).to_be_hidden()
    # Arrow keys skip the hidden column.
    cell(page, listing, "condition").click()
    page.keyboard.press("ArrowRight")
    expect(cell(page, listing, "category")).to_be_focused()


def test_search_and_sort_keep_the_view_in_the_url(owner_page, owner):
    ListingFactory(owner=owner, title="Red bicycle", price=Decimal("80"))
    ListingFactory(owner=owner, title="Red kettle", price=Decimal("10"))
    ListingFactory(owner=owner, title="Blue lamp", price=Decimal("30"))
    page = owner_page
    open_grid(page)
    page.get_by_label("Search").fill("red")
    expect(page).to_have_url(re.compile(r"[?&]q=red"))
    expect(page.locator("tr[data-listing-id]")).to_have_count(2)
    expect(page.locator("#grid-count")).to_have_text("2 of 3 listings")
    page.locator("th[data-col='price'] a").click()
    expect(page).to_have_url(re.compile(r"q=red.*ordering=price"))
    expect(page.locator("td[data-field='title']")).to_have_text(["Red kettle", "Red bicycle"])
    expect(page.locator("th[data-col='price']")).to_have_attribute("aria-sort", "ascending")
    # A shared link opens the same view.
    page.goto(page.url)
    expect(page.locator("td[data-field='title']")).to_have_text(["Red kettle", "Red bicycle"])
    expect(page.get_by_label("Search")).to_have_value("red")


def test_scrolling_to_the_end_loads_more_rows(owner_page, owner):
    ListingFactory.create_batch(PAGE_SIZE + 5, owner=owner)
    page = owner_page
    open_grid(page)
    expect(page.locator("tr[data-listing-id]")).to_have_count(PAGE_SIZE)
    page.locator("tr.more").scroll_into_view_if_needed()
    expect(page.locator("tr[data-listing-id]")).to_have_count(PAGE_SIZE + 5)
    expect(page.locator("tr.more")).to_have_count(0)


def test_column_widths_are_remembered(owner_page, owner):
    ListingFactory(owner=owner)
    page = owner_page
    open_grid(page)
    handle = page.locator("th[data-col='title'] .col-resize")
    before = handle.bounding_box()
    # Drag the header's resize grip (its bottom-right corner) 120 px to the right.
    page.mouse.move(before["x"] + before["width"] - 3, before["y"] + before["height"] - 3)
    page.mouse.down()
    with page.expect_response(lambda response: response.url.endswith("/listings/layout/")):
        page.mouse.move(before["x"] + before["width"] + 117, before["y"] + before["height"] - 3, steps=5)
        page.mouse.up()
    width = round(before["width"]) + 120
    # A sort reloads the table (the old headers go): the widths stay (issue 13, bug 1).
    page.locator("th[data-col='price'] a").click()
    expect(page.locator("th[data-col='price']")).to_have_attribute("aria-sort", "ascending")
    page.reload()
    expect(page.locator("th[data-col='title'] .col-resize")).to_have_css("width", f"{width}px")
    expect(page.locator("th[data-col='condition'] .col-resize")).not_to_have_css("width", "0px")
    assert owner.grid_layout.columns["widths"] == {"title": width}
