"""The photo journeys in Chromium, with a real worker drawing the thumbnails:
three photos dropped on a row's drawer, reordered by dragging, the thumbnail in
the grid; then a zip of ten photos attached to ten listings by name."""

import base64
import time

import pytest
from playwright.sync_api import expect

from listings.tests.factories import ListingFactory
from listings.tests.grid_page import open_grid
from marketplace.tests.test_csp_browser import assert_clean, watched  # noqa: F401 (a fixture)
from ocr.tests.test_browser import BackgroundWorker
from photos import services
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.tests.test_bulk import zipped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLOURS = [(220, 40, 40), (40, 160, 60), (40, 80, 220)]

DROP = """([zone, files]) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
  }
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


def _jpeg(colour) -> bytes:
    return pictures.encoded(pictures.picture(400, 300, color=colour), "JPEG", quality=90)


def _wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)


def _images_loaded(page, selector: str) -> None:
    """Every image ``selector`` finds has loaded (not broken): before a screenshot."""
    page.wait_for_function(
        "selector => [...document.querySelectorAll(selector)].every((i) => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )


def _order(listing) -> list[str]:
    return list(
        services.shown_photos(listing.pk).order_by("position", "id").values_list("original_name", flat=True)
    )


def test_drop_three_photos_reorder_and_see_the_thumbnail(watched, owner, artifacts_dir):  # noqa: F811
    listing = ListingFactory(owner=owner, title="Oak dining table")
    ListingFactory(owner=owner, title="Walnut side table")
    page = watched
    with BackgroundWorker():
        open_grid(page)
        page.locator(f"#photos-{listing.pk} [data-photo-drawer]").click()
        drawer = page.locator("#photo-drawer")
        expect(drawer.get_by_role("heading")).to_have_text("Photos of “Oak dining table”")
        names = ("red", "green", "blue")
        files = [
            [f"{name}.jpg", base64.b64encode(_jpeg(colour)).decode()]
            for name, colour in zip(names, COLOURS, strict=True)
        ]
        page.evaluate(DROP, [page.locator("[data-drop-zone]").element_handle(), files])
        expect(drawer.locator("[data-photo-count]")).to_have_text("3 of 20 photos")
        # The worker draws the thumbnails; the drawer looks again until they are there.
        expect(drawer.locator(".photo-item img")).to_have_count(3, timeout=30_000)
        assert _order(listing) == ["red.jpg", "green.jpg", "blue.jpg"]

        # Drag the blue photo in front of the red one.
        items = drawer.locator(".photo-item")
        with page.expect_response(lambda r: r.url.endswith("/photos/drawer/order/") and r.ok):
            items.nth(2).drag_to(items.nth(0), target_position={"x": 5, "y": 40})
        expect(drawer.locator(".photo-item").first.locator("img")).to_have_attribute("alt", "blue.jpg")
        assert _order(listing) == ["blue.jpg", "red.jpg", "green.jpg"]
        _images_loaded(page, "#photo-drawer img")
        drawer.screenshot(path=artifacts_dir / "photos-drawer.png")
        drawer.get_by_role("button", name="Close").click()

    cell = page.locator(f"#photos-{listing.pk}")
    expect(cell.locator(".photo-count")).to_have_text("3")
    first = ListingPhoto.objects.get(listing=listing, original_name="blue.jpg")
    expect(cell.locator("img")).to_have_attribute(
        "src", f"/listings/{listing.pk}/photos/{first.pk}/thumbnail/"
    )
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cell.locator("img").element_handle()
    )
    page.screenshot(path=artifacts_dir / "photos-grid.png")


def test_bulk_attach_a_zip_of_ten_photos_by_name(watched, owner, artifacts_dir):  # noqa: F811
    listings = [ListingFactory(owner=owner, title=f"Lamp {n}") for n in range(5)]
    photos = {}
    for index, listing in enumerate(listings):
        photos[f"{listing.pk}.jpg"] = _jpeg(COLOURS[index % 3])
        photos[f"{listing.pk}-2.jpg"] = _jpeg(COLOURS[(index + 1) % 3])
    page = watched
    with BackgroundWorker():
        page.goto("/listings/photos/bulk/")
        page.set_input_files(
            "input[name=files]",
            files=[{"name": "lamps.zip", "mimeType": "application/zip", "buffer": zipped(photos)}],
        )
        page.get_by_role("button", name="Upload and match").click()
        expect(page.get_by_role("heading", name="Matched (10)")).to_be_visible()
        expect(page.locator("[data-match=matched] img")).to_have_count(10)
        _images_loaded(page, ".bulk-photo img")
        page.screenshot(path=artifacts_dir / "photos-bulk-preview.png", full_page=True)
        page.get_by_role("button", name="Attach 10 photos").click()
        expect(page.get_by_text("Attached 10 photos to 5 listings.")).to_be_visible()
        for listing in listings:
            expect(page.locator(f"#photos-{listing.pk} .photo-count")).to_have_text("2")
        assert [_order(listing) for listing in listings] == [
            [f"{listing.pk}.jpg", f"{listing.pk}-2.jpg"] for listing in listings
        ]
        # Once the worker has drawn them, a reload shows every first thumbnail.
        _wait_until(lambda: not ListingPhoto.objects.exclude(status=ListingPhoto.Status.READY).exists())
        page.reload()
        expect(page.locator("td.photos img")).to_have_count(5)
        _images_loaded(page, "td.photos img")
        page.screenshot(path=artifacts_dir / "photos-grid-after-bulk.png")
        assert_clean(page, "bulk photos")
