"""Finding things on the spreadsheet page in browser tests."""

from playwright.sync_api import expect


def cell(page, listing, field):
    return page.locator(f"tr[data-listing-id='{listing.pk}'] td[data-field='{field}']")


def open_grid(page, query=""):
    page.goto(f"/listings/{query}")
    expect(page.locator("#grid-count [data-matching]")).to_be_attached()
    expect(page.locator("#backend-status .label")).not_to_have_text("Checking backend…")
