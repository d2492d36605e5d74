"""The insights page in a real browser, light and dark (screenshots in test-artifacts/)."""

import pytest

from insights.tests.fixtures import EXPECTED, make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_reads_in_light_and_dark_and_its_bars_open_the_grid(
    owner_page, owner, artifacts_dir, scheme
):
    make_shop(owner)
    page = owner_page
    page.emulate_media(color_scheme=scheme)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/insights/")

    bar = page.locator(".chart-bar").first
    text = page.locator(".chart-rows .chart-label").first
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert page.evaluate("(el) => getComputedStyle(el).fill", bar.element_handle()) == "rgb(24, 119, 242)"
    label_colour = page.evaluate("(el) => getComputedStyle(el).fill", text.element_handle())
    if scheme == "dark":
        assert (background, label_colour) == ("rgb(17, 20, 24)", "rgb(230, 232, 235)")
    else:
        assert (background, label_colour) == ("rgb(255, 255, 255)", "rgb(29, 35, 48)")
    page.screenshot(path=artifacts_dir / f"insights-{scheme}.png", full_page=True)
    assert errors == []  # no CSP refusal, no script error

    page.get_by_role("listitem", name="Title in capitals: 1 listing").click()
    page.wait_for_url("**/listings/?warning=capitals")
    rows = page.locator("#rows tr[data-listing-id]")
    assert rows.count() == EXPECTED["warning:capitals"][0]
    assert rows.first.get_attribute("id").startswith("listing-")
    assert "Listings warned: title in capitals" in page.locator(".scoped-filter").inner_text()
