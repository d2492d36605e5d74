"""Whole stories of a seller in a real browser (system Chromium via Playwright), with
screenshots in test-artifacts/ for people to look at.

(a) A new seller signs up, imports Facebook's own template with 10 rows, fixes the two
    bad rows in the preview, commits, edits cells by typing, and exports to Facebook
    once the readiness check passes; then the history and a phone-sized screen.
(b) A round trip: export csv, change three prices in the file, import it: the same
    three listings change and nothing is created.
"""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from imports.models import Import
from imports.tests.import_files import facebook_template_bytes
from listings.models import Listing
from listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "saffron kettle 31"
CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"
LAMPS = "Home & Kitchen//Lamps & Lighting//Lamps"
# Ten rows typed into Facebook's template: row 7 of the sheet has a price in words and
# row 10 no title (the sheet's header is row 4); the lamp has no category yet.
TEMPLATE_ROWS = [
    ["Oak dining chair", 45, "Used - Good", "Solid oak", CHAIRS, "No"],
    ["Walnut chair", 60, "Used - Like New", "", CHAIRS, "Yes"],
    ["Pine chair", "twenty", "Used - Fair", "A few scratches", CHAIRS, "No"],
    ["Beech chair", 35, "New", "", CHAIRS, "No"],
    ["Brass lamp", 25, "Used - Good", "Works", "", "No"],
    ["", 18, "New", "A title went missing", CHAIRS, "No"],
    ["Folding chair", 12, "Used - Good", "", CHAIRS, "Yes"],
    ["Rocking chair", 90, "Used - Like New", "", CHAIRS, "No"],
    ["Bar stool", 30, "New", "", CHAIRS, "No"],
    ["Kitchen chair", 22, "Used - Fair", "", CHAIRS, "No"],
]


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / name), full_page=True)


# The elements that stick out past the right edge (what makes a page scroll sideways).
OVERFLOWING = """[...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .map((element) => `${element.tagName}.${element.className}`)"""


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


def test_a_new_seller_from_sign_up_to_a_facebook_export(browser_page, artifacts_dir, tmp_path):
    page = browser_page

    # Sign up: one card, "E-mail", a strength hint while typing.
    page.goto("/accounts/signup/")
    expect(page.get_by_label("E-mail")).to_be_visible()
    page.get_by_label("E-mail").fill("new.seller@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    expect(page.locator(".strength")).to_contain_text("Too short: 3 more characters")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    expect(page.locator(".strength")).to_contain_text("Strength:")
    page.get_by_label("Password again").fill(PASSWORD)
    shot(page, artifacts_dir, "journey-a-1-sign-up.png")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/listings/")
    seller = User.objects.get(email="new.seller@example.com")

    # Import from the top navigation: Facebook's template with 10 rows.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.wait_for_url("**/listings/import/")
    template = tmp_path / "Marketplace_Bulk_Upload_Template.xlsx"
    template.write_bytes(facebook_template_bytes(tmp_path, TEMPLATE_ROWS))
    page.locator("main input[type=file]").set_input_files(str(template))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/listings/import/*/")
    commit = page.locator(".import-commit button")
    expect(commit).to_have_text("Import 8 valid rows — 2 need fixing")

    # Fix the two rows right in the preview; each save checks the row again.
    price = page.get_by_label("Price of row 7")
    expect(price).to_have_value("twenty")
    price.fill("20")
    shot(page, artifacts_dir, "journey-a-2-import-preview-fix.png")
    page.get_by_role("button", name="Save row 7").click()
    expect(page.get_by_text("Row 7 fixed.")).to_be_visible()
    expect(commit).to_have_text("Import 9 valid rows — 1 needs fixing")
    page.get_by_label("Title of row 10").fill("Spindle chair")
    page.get_by_role("button", name="Save row 10").click()
    expect(commit).to_have_text("Import 10 rows")
    commit.click()
    expect(page.locator(".import-done")).to_contain_text("10 created")
    assert Import.objects.get(owner=seller).status == Import.Status.COMMITTED

    # "See the listings" shows this import's ten listings.
    page.get_by_role("link", name="See the listings").click()
    expect(page.locator("[data-scoped-filter=import]")).to_contain_text("Listings from import")
    expect(page.locator("#grid-count")).to_have_text("10 of 10 listings")
    pine = Listing.objects.get(owner=seller, title="Pine chair")
    assert pine.price == Decimal("20.00")

    # Edit cells by typing: the pine chair's price.
    price_cell = page.locator(f"tr[data-listing-id='{pine.pk}'] td[data-field='price']")
    price_cell.click()
    page.keyboard.press("Enter")
    editor = price_cell.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("")
    page.keyboard.type("24")
    page.keyboard.press("Enter")
    expect(price_cell).to_have_attribute("data-state", "saved")
    expect(price_cell).to_have_text("24.00")

    # Fill down (Ctrl+D): the saved cell keeps the focus; two rows below take its price.
    below = page.locator("#rows tr[data-listing-id]")
    pine_row = page.locator(f"tr[data-listing-id='{pine.pk}']")
    expect(pine_row).to_have_count(1)
    index = [int(pk) for pk in below.evaluate_all("rows => rows.map(r => r.dataset.listingId)")].index(
        pine.pk
    )
    filled = [int(pk) for pk in below.evaluate_all("rows => rows.map(r => r.dataset.listingId)")][
        index + 1 : index + 3
    ]
    assert len(filled) == 2
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Control+d")
    expect(page.locator("#paste-report")).to_contain_text("Filled 2 cells.")
    assert set(Listing.objects.filter(pk__in=filled).values_list("price", flat=True)) == {Decimal("24.00")}

    # The Export dialog checks Facebook's rules first: the lamp has no category.
    page.get_by_role("button", name="Export…").click()
    readiness = page.locator("#marketplace-readiness")
    expect(readiness).to_contain_text("9 ready, 1 needs a fix")
    expect(readiness).to_contain_text("1 with no category")
    shot(page, artifacts_dir, "journey-a-3-readiness-check.png")
    readiness.get_by_role("link", name="Show the 1 listing to fix").click()
    scoped = page.locator("[data-scoped-filter=facebook]")
    expect(scoped).to_contain_text("Listings that need a fix for Facebook")
    lamp = Listing.objects.get(owner=seller, title="Brass lamp")
    expect(page.locator("#rows tr[data-listing-id]")).to_have_count(1)
    category = page.locator(f"tr[data-listing-id='{lamp.pk}'] td[data-field='category']")
    category.click()
    page.keyboard.press("Enter")
    category.locator("input[name=value]").fill(LAMPS)
    page.keyboard.press("Enter")
    expect(category).to_have_attribute("data-state", "saved")

    page.goto("/listings/")
    page.get_by_role("button", name="Export…").click()
    expect(readiness).to_contain_text("All 10 listings ready for Facebook")
    with page.expect_download() as download:
        page.locator("#export-form").get_by_role("button", name="Export", exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"

    # The history reads as what the seller did.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    operations = page.locator(".operation")
    expect(operations.first).to_contain_text("You exported 10 listings as Facebook bulk upload (xlsx)")
    history = page.locator("#operations")
    expect(history).to_contain_text("You changed the category of 1 listing: Brass lamp")
    expect(history).to_contain_text("You imported Marketplace_Bulk_Upload_Template.xlsx (10 new)")
    price_line = operations.filter(has_text="You changed the price of 1 listing: Pine chair")
    price_line.locator("summary").click()
    expect(price_line.locator(".operation-details")).to_contain_text("Price 20.00 → 24.00")
    shot(page, artifacts_dir, "journey-a-4-history.png")

    # A phone: no sideways scroll, the menu is there to tap.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/listings/", "grid"), ("/history/", "history"), ("/listings/import/", "import")):
        page.goto(path)
        assert not scrolls_sideways(page), (path, page.evaluate(OVERFLOWING))
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Import")).to_be_visible()
        shot(page, artifacts_dir, f"journey-a-5-{name}-390px.png")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.wait_for_url("**/listings/import/")


def test_round_trip_export_change_three_prices_import_updates_in_place(
    owner_page, owner, artifacts_dir, tmp_path
):
    listings = [
        ListingFactory(owner=owner, title=title, price=Decimal(price), category=CHAIRS)
        for title, price in (
            ("Oak table", "80.00"),
            ("Bike helmet", "30.00"),
            ("Lamp", "18.00"),
            ("Rug", "45.00"),
            ("Stool", "12.00"),
        )
    ]
    page = owner_page
    page.goto("/listings/")
    page.get_by_role("button", name="Export…").click()
    dialog = page.locator("#export-dialog")
    dialog.get_by_role("radio", name="CSV").check()
    dialog.get_by_label("All my listings").check()
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Export", exact=True).click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["ID", "TITLE", "PRICE"]

    # In "Excel": three prices change, the rest stays as exported.
    new_prices = {"Oak table": "72.00", "Lamp": "16.20", "Stool": "10.00"}
    for row in rows[1:]:
        row[2] = new_prices.get(row[1], row[2])
    edited = tmp_path / "marketplace-listings.csv"
    with edited.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)

    page.goto("/listings/import/")
    page.locator("main input[type=file]").set_input_files(str(edited))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/listings/import/*/")
    expect(page.locator(".import-mode")).to_contain_text("This file has the ids of your listings")
    expect(page.locator('[data-count="updated"]')).to_have_text("3")
    expect(page.locator('[data-count="new"]')).to_have_text("0")
    shot(page, artifacts_dir, "journey-b-1-import-own-export.png")
    page.locator(".import-commit button").click()
    expect(page.locator(".import-done")).to_contain_text("0 created, 3 updated")

    assert Listing.objects.filter(owner=owner).count() == len(listings)
    prices = dict(Listing.objects.filter(owner=owner).values_list("title", "price"))
    assert prices == {
        "Oak table": Decimal("72.00"),
        "Bike helmet": Decimal("30.00"),
        "Lamp": Decimal("16.20"),
        "Rug": Decimal("45.00"),
        "Stool": Decimal("10.00"),
    }
    page.get_by_role("link", name="See the listings").click()
    expect(page.locator("#grid-count")).to_have_text("3 of 5 listings")
    shot(page, artifacts_dir, "journey-b-2-grid-of-the-import.png")

    # The whole import is one undo step: "Undo this import" puts the three prices back.
    page.go_back()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator(".messages")).to_contain_text("Undone: imports (3 listings).")
    expect(page.locator(".import-undone")).to_contain_text(
        "This import was undone: the 3 listings it updated are back as they were."
    )
    prices = dict(Listing.objects.filter(owner=owner).values_list("title", "price"))
    assert prices == {listing.title: listing.price for listing in listings}
    shot(page, artifacts_dir, "journey-b-3-import-undone.png")
