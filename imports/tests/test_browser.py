"""The import page in a real browser (system Chromium via Playwright): files dropped
on the upload area, preview with the invalid row highlighted, commit."""

import pytest

from imports.models import Import
from listings.models import Listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP_FILES = """
([zoneSelector, files]) => {
  const transfer = new DataTransfer();
  for (const [name, text] of files) transfer.items.add(new File([text], name, {type: "text/csv"}));
  const zone = document.querySelector(zoneSelector);
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}
"""


def test_drop_two_files_preview_and_commit(owner_page, owner, artifacts_dir):
    page = owner_page
    page.goto("/listings/import/")
    page.evaluate(
        DROP_FILES,
        [
            "[data-dropzone]",
            [
                ["chairs.csv", "Title,Price,Condition\nOak chair,45,used like new\nStool,cheap,New\n"],
                ["lamps.csv", "Name;Cost\nBrass lamp;12,50\n"],
            ],
        ],
    )
    assert page.locator("[data-dropzone-files]").inner_text() == "chairs.csv, lamps.csv"
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/listings/import/*/")

    assert page.locator('[data-count="new"]').inner_text() == "2"
    assert page.locator('[data-count="invalid"]').inner_text() == "1"
    invalid = page.locator("tr.import-row-invalid")
    assert invalid.count() == 1
    assert "“cheap” is not a price." in invalid.inner_text()
    page.screenshot(path=str(artifacts_dir / "import-preview.png"), full_page=True)

    page.get_by_role("button", name="Import 2 valid rows — 1 needs fixing").click()
    page.wait_for_selector(".import-done")
    assert Import.objects.get().status == Import.Status.COMMITTED
    assert sorted(Listing.objects.filter(owner=owner).values_list("title", flat=True)) == [
        "Brass lamp",
        "Oak chair",
    ]
