"""Whole stories of a seller in the spreadsheet page (issue 13, journeys c–f), in
the system Chromium. Each leaves screenshots under test-artifacts/."""

import re
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from playwright.sync_api import expect

from listing_templates.models import ListingTemplate
from listings.models import Listing, UndoStep
from listings.services.changes import listings_create_many
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from listings.tests.grid_page import cell, open_grid
from listings.validation import clean_listing

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIPBOARD = ["clipboard-read", "clipboard-write"]


def layout_saved(response):
    return response.url.endswith("/listings/layout/") and response.ok


def drag_width(page, field, by):
    """Drag a header's resize grip (its bottom-right corner) ``by`` pixels."""
    box = page.locator(f"th[data-col='{field}'] .col-resize").bounding_box()
    x, y = box["x"] + box["width"] - 3, box["y"] + box["height"] - 3
    page.mouse.move(x, y)
    page.mouse.down()
    with page.expect_response(layout_saved):
        page.mouse.move(x + by, y, steps=5)
        page.mouse.up()
    return round(box["width"]) + by


def test_c_5000_listings_sort_reload_widths_and_a_3x3_copy_that_pastes_back(owner_page, owner, artifacts_dir):
    rows = [
        clean_listing({"title": f"Lamp #{n}", "price": f"{n}.50", "condition": "New", "category": "Home"})
        for n in range(1, 5001)
    ]
    listings_create_many(owner=owner, rows=rows, actor=owner)
    page = owner_page
    page.context.grant_permissions(CLIPBOARD)
    open_grid(page)
    expect(page.locator("#grid-count")).to_have_text("5000 of 5000 listings")

    # Sort by title: natural order, "#2" before "#11".
    page.locator("th[data-col='title'] a").click()
    expect(page).to_have_url(re.compile(r"ordering=title"))
    titles = page.locator("td[data-field='title']")
    expect(titles.nth(0)).to_have_text("Lamp #1")
    expect(titles.nth(1)).to_have_text("Lamp #2")
    expect(titles.nth(10)).to_have_text("Lamp #11")

    # Widen two columns, hide one, sort again and reload: the layout holds.
    title_width = drag_width(page, "title", 90)
    category_width = drag_width(page, "category", -40)
    page.get_by_text("Columns", exact=True).click()
    with page.expect_response(layout_saved):
        page.locator("[data-column-toggle='description']").uncheck()
    page.get_by_text("Columns", exact=True).click()
    page.locator("th[data-col='price'] a").click()
    expect(page.locator("th[data-col='price']")).to_have_attribute("aria-sort", "ascending")
    page.locator("th[data-col='title'] a").click()
    expect(page.locator("th[data-col='title']")).to_have_attribute("aria-sort", "ascending")
    page.reload()
    expect(page.locator("th[data-col='title'] .col-resize")).to_have_css("width", f"{title_width}px")
    expect(page.locator("th[data-col='category'] .col-resize")).to_have_css("width", f"{category_width}px")
    for field in ("price", "condition", "offer_shipping"):
        assert page.locator(f"th[data-col='{field}'] .col-resize").bounding_box()["width"] > 40
    expect(page.locator("th[data-col='description']")).to_be_hidden()
    assert owner.grid_layout.columns["widths"] == {"title": title_width, "category": category_width}
    page.screenshot(path=artifacts_dir / "journey-c-sorted-after-reload.png")

    # A 3×3 range (title, price, condition of the first three rows), copied.
    first, fourth, fifth, sixth = (Listing.objects.get(owner=owner, title=f"Lamp #{n}") for n in (1, 4, 5, 6))
    cell(page, first, "title").click()
    for key in ("Shift+ArrowDown", "Shift+ArrowDown", "Shift+ArrowRight", "Shift+ArrowRight"):
        page.keyboard.press(key)
    expect(page.locator("#grid td.in-range")).to_have_count(9)
    page.screenshot(path=artifacts_dir / "journey-c-range.png")
    page.keyboard.press("Control+c")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Lamp #1\t1.50\tNew\nLamp #2\t2.50\tNew\nLamp #3\t3.50\tNew"

    # Pasted back at row 4 (the same columns): rows 4–6 now read as rows 1–3.
    cell(page, fourth, "title").click()
    page.keyboard.press("Control+v")
    expect(page.locator("#paste-report")).to_contain_text("Pasted 9 cells.")
    pasted = list(
        Listing.objects.filter(pk__in=[fourth.pk, fifth.pk, sixth.pk])
        .order_by("id")
        .values_list("title", "price", "condition")
    )
    assert pasted == [
        ("Lamp #1", Decimal("1.50"), "New"),
        ("Lamp #2", Decimal("2.50"), "New"),
        ("Lamp #3", Decimal("3.50"), "New"),
    ]
    # Copying the pasted block gives the same text again. (The paste kept the
    # focus on row 4's title, where a click would open the editor: come from above.)
    cell(page, first, "title").click()
    for key in ("ArrowDown", "ArrowDown", "ArrowDown"):
        page.keyboard.press(key)
    expect(cell(page, fourth, "title")).to_be_focused()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+c")
    assert page.evaluate("navigator.clipboard.readText()") == copied
    page.screenshot(path=artifacts_dir / "journey-c-pasted-back.png")
    assert Listing.objects.filter(owner=owner).count() == 5000

    # On a narrow screen, scrolled down and right: the header row and the title
    # column stay where they were (frozen).
    page.set_viewport_size({"width": 800, "height": 700})
    box = page.locator("#grid-table")
    header = page.locator("th[data-col='condition']")
    title_header = page.locator("th[data-col='title']")
    left = title_header.bounding_box()["x"]
    box.evaluate("box => { box.scrollTop = 900; box.scrollLeft = 400; }")
    expect(box).to_have_js_property("scrollTop", 900)
    assert box.evaluate("box => box.scrollLeft") > 0
    # The header sticks to the top of the scrolled box; the title column to its left.
    assert abs(header.bounding_box()["y"] - box.bounding_box()["y"]) < 1
    assert title_header.bounding_box()["x"] == left
    assert cell(page, sixth, "title").bounding_box()["y"] < box.bounding_box()["y"]
    page.screenshot(path=artifacts_dir / "journey-c-frozen-header-and-title.png")


def test_d_session_expiry_during_an_edit_then_log_in_and_the_edit_is_saved(
    owner_page, owner, password, artifacts_dir
):
    listing = ListingFactory(owner=owner, title="Oak chair", price=Decimal("45.00"))
    page = owner_page
    open_grid(page, "?ordering=title")
    price = cell(page, listing, "price")
    price.click()
    # Typing on a focused cell starts editing with what was typed.
    page.keyboard.type("39.5")
    editor = price.locator("input[name=value]")
    expect(editor).to_have_value("39.5")

    # The session ends while the seller is typing (expired, or logged out elsewhere).
    Session.objects.all().delete()
    cache.clear()
    page.keyboard.press("Enter")

    # The page goes to the log-in page (not pasted into the cell), to come back after.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Flistings%2F%3Fordering%3Dtitle"))
    page.screenshot(path=artifacts_dir / "journey-d-login.png")
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/listings/\?ordering=title$"))
    offer = page.locator("#unsaved-edit")
    expect(offer).to_contain_text(
        "You were signed out before this change was saved: Price of “Oak chair” → “39.5”."
    )
    page.screenshot(path=artifacts_dir / "journey-d-offered-again.png")
    offer.get_by_role("button", name="Save it now").click()
    expect(price).to_have_attribute("data-state", "saved")
    expect(price).to_have_text("39.50")
    expect(offer).to_have_count(0)
    listing.refresh_from_db()
    assert listing.price == Decimal("39.50")
    # Offered once: a reload does not offer it again.
    page.reload()
    expect(page.locator("#grid-count [data-matching]")).to_be_attached()
    expect(page.locator("#unsaved-edit")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-d-saved.png")

    # An edit the server saved is never offered again, on this visit or the next.
    title = cell(page, listing, "title")
    title.click()
    page.keyboard.type("Oak armchair")
    page.keyboard.press("Enter")
    expect(title).to_have_attribute("data-state", "saved")
    page.reload()
    expect(page.locator("#grid-count [data-matching]")).to_be_attached()
    expect(page.locator("#unsaved-edit")).to_have_count(0)


def select_rows(page, listings):
    for listing in listings:
        page.locator(f"tr[data-listing-id='{listing.pk}'] input.row-select").check()


def steps():
    return UndoStep.objects.count()


def test_e_double_click_on_every_bulk_button_applies_once(owner_page, owner, artifacts_dir):
    lamps = [ListingFactory(owner=owner, title=f"Brass lamp {n}", price=Decimal("273.76")) for n in (1, 2)]
    ListingFactory(owner=owner, title="Oak table", price=Decimal("100.00"))
    ListingTemplateFactory(
        owner=owner, name="Shipped new", defaults={"condition": "New", "offer_shipping": True}
    )
    page = owner_page
    open_grid(page, "?q=lamp&ordering=title")
    select_rows(page, lamps)
    bar = page.locator("#bulk-bar")
    message = page.locator("#grid-message")

    # Adjust price −10 %: once, 273.76 → 246.38 (not 221.74).
    bar.get_by_label("Price change").fill("-10")
    before = steps()
    bar.get_by_role("button", name="Adjust").dblclick()
    expect(message).to_contain_text("Adjusted the price of 2 listings by -10 %.")
    expect(cell(page, lamps[0], "price")).to_have_text("246.38")
    assert sorted(Listing.objects.filter(title__startswith="Brass").values_list("price", flat=True)) == [
        Decimal("246.38"),
        Decimal("246.38"),
    ]
    assert steps() == before + 1
    # The selection is kept for the next action, and the message says what was done.
    expect(page.locator("#selection-count")).to_have_text("2 selected")

    # Set a field.
    bar.get_by_label("Field to set").select_option("category")
    bar.get_by_label("New value").fill("Home//Lighting")
    before = steps()
    bar.get_by_role("button", name="Set", exact=True).dblclick()
    expect(message).to_contain_text("Set category on 2 listings.")
    assert steps() == before + 1
    expect(page.locator("#selection-count")).to_have_text("2 selected")

    # Apply a template.
    bar.get_by_label("How to apply").select_option("overwrite")
    before = steps()
    bar.get_by_role("button", name="Apply", exact=True).dblclick()
    expect(message).to_contain_text("Applied “Shipped new” to 2 listings.")
    assert steps() == before + 1
    expect(page.locator("#selection-count")).to_have_text("2 selected")

    # Find & replace: a repeat would make "Brasss".
    bar.get_by_label("Find", exact=True).fill("Brass")
    bar.get_by_label("Replace with").fill("Brasss")
    bar.get_by_role("button", name="Preview").dblclick()
    expect(message).to_contain_text("2 listings would change.")
    before = steps()
    message.get_by_role("button", name="Replace in 2 listings").dblclick()
    expect(message).to_contain_text("Replaced in 2 listings.")
    assert sorted(Listing.objects.filter(title__contains="lamp").values_list("title", flat=True)) == [
        "Brasss lamp 1",
        "Brasss lamp 2",
    ]
    assert steps() == before + 1
    expect(page.locator("#selection-count")).to_have_text("2 selected")

    # Duplicate: one copy each.
    before = steps()
    bar.get_by_role("button", name="Duplicate", exact=True).dblclick()
    expect(message).to_contain_text("Duplicated 2 listings.")
    assert Listing.objects.filter(title="Brasss lamp 1").count() == 2
    assert Listing.objects.count() == 5
    assert steps() == before + 1  # the whole duplicate is one undo step
    page.screenshot(path=artifacts_dir / "journey-e-after-duplicate.png")

    # Delete, confirmed with a double-click: once.
    expect(page.locator("#selection-count")).to_have_text("2 selected")
    bar.get_by_role("button", name="Delete…").dblclick()
    before = steps()
    message.get_by_role("button", name="Delete 2 listings").dblclick()
    expect(message).to_contain_text("Deleted 2 listings.")
    assert Listing.objects.count() == 3
    assert steps() == before + 1

    # Undo, double-clicked: one step back (the delete), not two.
    page.locator("#undo").dblclick()
    expect(message).to_contain_text("Undone:")
    assert Listing.objects.count() == 5
    assert UndoStep.objects.filter(undone=True).count() == 1

    # Add row, double-clicked: one row and one editor.
    open_grid(page, "?ordering=title")
    before = Listing.objects.count()
    page.locator("#add-row").dblclick()
    expect(page.locator("td.editing")).to_have_count(1)
    expect(page.locator("tr[data-listing-id]")).to_have_count(before + 1)
    assert Listing.objects.count() == before + 1
    page.screenshot(path=artifacts_dir / "journey-e-add-row.png")
    assert ListingTemplate.objects.count() == 1


def expect_filters(page, *, q="", condition="", category="", warnings=False):
    expect(page.locator("#q")).to_have_value(q)
    expect(page.locator("#filters select[name=condition]")).to_have_value(condition)
    expect(page.locator("#filter-category")).to_have_value(category)
    checkbox = page.get_by_label("Only with warnings")
    expect(checkbox).to_be_checked() if warnings else expect(checkbox).not_to_be_checked()


def test_f_back_and_forward_restore_every_control(owner_page, owner, artifacts_dir):
    ListingFactory(owner=owner, title="Red bicycle", condition="New", category="Sports")
    ListingFactory(owner=owner, title="Red kettle", condition="Used - Good", category="Home")
    ListingFactory(owner=owner, title="Blue lamp", condition="New", category="Home")
    page = owner_page
    open_grid(page)
    rows = page.locator("tr[data-listing-id]")

    page.locator("#q").fill("red")
    expect(page).to_have_url(re.compile(r"q=red"))
    expect(rows).to_have_count(2)
    page.locator("#filters select[name=condition]").select_option("New")
    expect(page).to_have_url(re.compile(r"q=red.*condition=New"))
    expect(rows).to_have_count(1)
    # The Category filter applies as it is typed, like the search box.
    page.locator("#q").fill("")
    expect(page).to_have_url(re.compile(r"/listings/\?condition=New$"))
    page.locator("#filter-category").press_sequentially("Hom")
    expect(page).to_have_url(re.compile(r"category=Hom"))
    expect(rows).to_have_count(1)
    expect(page.locator("td[data-field='title']")).to_have_text(["Blue lamp"])
    page.screenshot(path=artifacts_dir / "journey-f-filtered.png")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/listings/\?condition=New$"))
    expect_filters(page, condition="New")
    expect(rows).to_have_count(2)
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=red.*condition=New"))
    expect_filters(page, q="red", condition="New")
    expect(rows).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=red$"))
    expect_filters(page, q="red")
    expect(rows).to_have_count(2)
    page.screenshot(path=artifacts_dir / "journey-f-back.png")
    page.go_back()
    expect_filters(page)
    expect(rows).to_have_count(3)

    page.go_forward()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"q=red.*condition=New"))
    expect_filters(page, q="red", condition="New")
    page.go_forward()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"category=Hom"))
    expect_filters(page, condition="New", category="Hom")
    page.screenshot(path=artifacts_dir / "journey-f-forward.png")
