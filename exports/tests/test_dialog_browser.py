"""The Export dialog in Chromium: its script opens it over a page, follows the page's
query string, sends the checked rows, and the browser gets the file."""

from pathlib import Path

import pytest

from listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the grid will have: row checkboxes named "ids" and a button that opens the dialog.
FAKE_GRID = """
for (const id of ids) {
  const box = Object.assign(document.createElement("input"), {type: "checkbox", name: "ids", value: id});
  box.checked = true;
  document.querySelector("main").prepend(box);
}
const opener = Object.assign(document.createElement("button"), {type: "button", textContent: "Export…"});
opener.dataset.exportOpen = "";
document.querySelector("main").prepend(opener);
document.querySelector("dialog.export-dialog").close();
"""


def test_dialog_exports_checked_rows_and_the_current_filter(owner_page, owner, artifacts_dir):
    chair = ListingFactory(owner=owner, title="Oak chair", description="Wood.")
    ListingFactory(owner=owner, title="Oak desk", description="Wood.")
    table = ListingFactory(owner=owner, title="Pine table", description="Wood.")
    page = owner_page
    page.goto("/exports/?q=oak&ordering=title")
    page.evaluate(f"(ids) => {{ {FAKE_GRID} }}", [str(chair.pk), str(table.pk)])

    page.get_by_role("button", name="Export…").click()
    dialog = page.locator("dialog.export-dialog")
    assert dialog.evaluate("d => d.matches(':modal')")
    assert dialog.locator("[data-selection-count]").inner_text() == "2"
    page.screenshot(path=artifacts_dir / "export-dialog.png")

    page.get_by_role("radio", name="CSV").check()
    page.get_by_role("radio", name="Selected listings").check()
    with page.expect_download() as selected:
        dialog.get_by_role("button", name="Export").click()
    assert selected.value.suggested_filename.startswith("marketplace-listings-")
    lines = Path(selected.value.path()).read_text(encoding="utf-8").splitlines()
    # In the page's order (ordering=title from the address bar).
    assert [line.split(",")[1] for line in lines[1:]] == ["Oak chair", "Pine table"]
    assert not dialog.evaluate("d => d.open")

    page.get_by_role("button", name="Export…").click()
    page.get_by_role("radio", name="Text (tab-separated)").check()
    page.get_by_role("radio", name="The grid's current filter and sort").check()
    with page.expect_download() as filtered:
        dialog.get_by_role("button", name="Export").click()
    lines = Path(filtered.value.path()).read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines[1:]] == ["Oak chair", "Oak desk"]
