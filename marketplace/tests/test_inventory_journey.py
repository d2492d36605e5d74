"""A seller's inventory in a real browser (system Chromium), with the background
worker drawing the photos: three photos dropped on a listing's drawer and
reordered, the thumbnail in the grid; a zip of ten photos attached to five
listings by their SKUs; those five marked sold in the grid, then seen on the
insights page, whose sold week opens the grid on exactly them. Screenshots of
the grid with photos, the drawer and the insights page, light and dark, go to
test-artifacts/inventory-*.png."""

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from listings.models import Listing
from listings.tests.factories import ListingFactory
from listings.tests.grid_page import cell, open_grid
from marketplace.tests.test_csp_browser import assert_clean, watched  # noqa: F401 (a fixture)
from ocr.tests.test_browser import BackgroundWorker
from photos.models import ListingPhoto
from photos.tests.test_browser import COLOURS, DROP, _images_loaded, _jpeg, _order, _wait_until
from photos.tests.test_bulk import zipped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAMP_SKUS = ["LMP-101", "LMP-102", "LMP-103", "LMP-104", "LMP-105"]
LAMP_PRICES = [Decimal("12.00"), Decimal("15.50"), Decimal("20.00"), Decimal("8.25"), Decimal("30.00")]


def _both_schemes(page, shoot) -> None:
    """``shoot(suffix)`` in light, then dark; the page is left light."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        shoot(scheme)
    page.emulate_media(color_scheme="light")


def _bulk_zip() -> bytes:
    """Ten photos named by SKU, in any case and with both ways of numbering:
    ``LMP-101.jpg`` (first), ``lmp-101-2.jpg`` or ``LMP-101_2.png`` (second)."""
    photos = {}
    for index, sku in enumerate(LAMP_SKUS):
        photos[f"{sku}.jpg"] = _jpeg(COLOURS[index % 3])
        second = f"{sku.lower()}-2.jpg" if index % 2 else f"{sku}_2.jpg"
        photos[second] = _jpeg(COLOURS[(index + 1) % 3])
    return zipped(photos)


def test_photos_by_drag_and_drop_and_by_sku_then_five_sold_on_the_insights_page(
    watched,  # noqa: F811
    owner,
    artifacts_dir,
):
    table = ListingFactory(owner=owner, title="Oak dining table", price=Decimal("250.00"), sku="TBL-1")
    lamps = [
        ListingFactory(owner=owner, title=f"Brass lamp {n}", price=price, sku=sku, category="")
        for n, (sku, price) in enumerate(zip(LAMP_SKUS, LAMP_PRICES, strict=True), start=1)
    ]
    ListingFactory(owner=owner, title="Walnut side table", price=Decimal("90.00"), status="listed")
    # Sold before the journey, in an earlier week: not among this week's five.
    ListingFactory(
        owner=owner,
        title="Pine stool",
        price=Decimal("10.00"),
        status="sold",
        sold_at=timezone.now() - timedelta(weeks=3),
    )
    page = watched
    with BackgroundWorker():
        # Three photos dropped on the table's drawer, then the blue one dragged first.
        open_grid(page, "?ordering=title")
        page.locator(f"#photos-{table.pk} [data-photo-drawer]").click()
        drawer = page.locator("#photo-drawer")
        expect(drawer.get_by_role("heading")).to_have_text("Photos of “Oak dining table”")
        files = [
            [f"{name}.jpg", base64.b64encode(_jpeg(colour)).decode()]
            for name, colour in zip(("red", "green", "blue"), COLOURS, strict=True)
        ]
        page.evaluate(DROP, [page.locator("[data-drop-zone]").element_handle(), files])
        expect(drawer.locator("[data-photo-count]")).to_have_text("3 of 20 photos")
        expect(drawer.locator(".photo-item img")).to_have_count(3, timeout=30_000)
        items = drawer.locator(".photo-item")
        with page.expect_response(lambda r: r.url.endswith("/photos/drawer/order/") and r.ok):
            items.nth(2).drag_to(items.nth(0), target_position={"x": 5, "y": 40})
        expect(drawer.locator(".photo-item").first.locator("img")).to_have_attribute("alt", "blue.jpg")
        assert _order(table) == ["blue.jpg", "red.jpg", "green.jpg"]
        _images_loaded(page, "#photo-drawer img")
        _both_schemes(
            page, lambda scheme: drawer.screenshot(path=artifacts_dir / f"inventory-drawer-{scheme}.png")
        )
        drawer.get_by_role("button", name="Close").click()
        blue = ListingPhoto.objects.get(listing=table, original_name="blue.jpg")
        expect(page.locator(f"#photos-{table.pk} img")).to_have_attribute(
            "src", f"/listings/{table.pk}/photos/{blue.pk}/thumbnail/"
        )
        expect(page.locator(f"#photos-{table.pk} .photo-count")).to_have_text("3")

        # A zip of ten photos, matched to the five lamps by SKU.
        page.goto("/listings/photos/bulk/")
        page.set_input_files(
            "input[name=files]",
            files=[{"name": "lamps.zip", "mimeType": "application/zip", "buffer": _bulk_zip()}],
        )
        page.get_by_role("button", name="Upload and match").click()
        expect(page.get_by_role("heading", name="Matched (10)")).to_be_visible()
        expect(page.locator("[data-match=matched] img")).to_have_count(10)
        page.get_by_role("button", name="Attach 10 photos").click()
        expect(page.get_by_text("Attached 10 photos to 5 listings.")).to_be_visible()
        for lamp in lamps:
            expect(page.locator(f"#photos-{lamp.pk} .photo-count")).to_have_text("2")
        assert [len(_order(lamp)) for lamp in lamps] == [2] * 5
        assert [_order(lamp)[0] for lamp in lamps] == [f"{sku}.jpg" for sku in LAMP_SKUS]
        _wait_until(lambda: not ListingPhoto.objects.exclude(status=ListingPhoto.Status.READY).exists())

    # The grid with every first thumbnail drawn.
    open_grid(page, "?ordering=title")
    expect(page.locator("td.photos img")).to_have_count(6)
    _images_loaded(page, "td.photos img")
    _both_schemes(page, lambda scheme: page.screenshot(path=artifacts_dir / f"inventory-grid-{scheme}.png"))

    # The five lamps ticked and marked sold: one click, one bulk set.
    for lamp in lamps:
        page.locator(f"tr[data-listing-id='{lamp.pk}'] input.row-select").check()
    expect(page.locator("#selection-count")).to_have_text("5 selected")
    page.locator("#bulk-bar [data-mark=sold]").click()
    expect(page.locator("#grid-message")).to_contain_text("5 listings")
    for lamp in lamps:
        expect(cell(page, lamp, "status")).to_have_text("Sold")
    # The grid's table comes back with the rows changed: no inline style copied (CSP).
    assert_clean(page, "grid after Mark as sold")
    sold = Listing.objects.filter(
        owner=owner, status="sold", sold_at__gte=timezone.now() - timedelta(hours=1)
    )
    assert sorted(sold.values_list("pk", flat=True)) == [lamp.pk for lamp in lamps]

    # The insights page counts them: six sold in all, five this week with their revenue.
    page.goto("/insights/")
    expect(page.get_by_role("listitem", name="Sold: 6 listings")).to_be_visible()
    this_week = page.locator("table.sold-weeks tbody tr").last
    expect(this_week.locator("td").nth(1)).to_have_text("5")
    expect(this_week.locator("td").nth(2)).to_have_text(str(sum(LAMP_PRICES)))
    _both_schemes(
        page,
        lambda scheme: page.screenshot(
            path=artifacts_dir / f"inventory-insights-{scheme}.png", full_page=True
        ),
    )
    assert_clean(page, "insights")

    # Its week opens the grid on exactly the five.
    this_week.get_by_role("link").click()
    page.wait_for_url("**/listings/?status=sold&sold_week=*")
    rows = page.locator("#rows tr[data-listing-id]")
    expect(rows).to_have_count(5)
    assert sorted(int(pk) for pk in rows.evaluate_all("rows => rows.map((r) => r.dataset.listingId)")) == [
        lamp.pk for lamp in lamps
    ]
    assert_clean(page, "grid of the sold week")
