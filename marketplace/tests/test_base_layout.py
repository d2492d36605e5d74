import pytest

from listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_indicator_shows_backend_state(owner_page, owner, artifacts_dir):
    ListingFactory(owner=owner, title="Walnut desk")
    owner_page.goto("/listings/")
    indicator = owner_page.locator("#backend-status")
    owner_page.wait_for_function(
        "() => document.querySelector('#backend-status .dot').dataset.state !== 'unknown'"
    )
    state = indicator.locator(".dot").get_attribute("data-state")
    assert state in {"ok", "degraded"}
    indicator.locator("summary").click()
    assert indicator.locator("dt", has_text="Database").is_visible()
    assert owner_page.locator("td[data-field='title']", has_text="Walnut desk").is_visible()
    owner_page.screenshot(path=artifacts_dir / "base-layout.png")
