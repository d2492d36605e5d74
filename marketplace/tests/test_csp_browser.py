"""Every page runs under the Content-Security-Policy with nothing refused (issue 12,
finding 10): a real browser reports each ``securitypolicyviolation`` and console error."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from listings.services.changes import listing_update
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from ocr.tests.factories import read_scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script: the browser's own report of what the policy refused.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(owner_page):
    """The owner's page, collecting console errors and CSP violations."""
    errors: list[str] = []
    owner_page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    owner_page.on("pageerror", lambda error: errors.append(str(error)))
    owner_page.context.add_init_script(WATCH_VIOLATIONS)
    owner_page.errors = errors
    return owner_page


def assert_clean(page, where: str) -> None:
    page.wait_for_load_state("load")
    # Every HTMX request the page made has finished (htmx marks the requesting elements).
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{where}: {violations}"
    assert page.errors == [], f"{where}: {page.errors}"


def test_the_policy_is_self_only(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_load_and_work_with_no_csp_violation(watched, owner, live_server):
    page = watched
    listing = ListingFactory(owner=owner, title="Oak chair", price=Decimal("45.00"))
    listing_update(listing=listing, data={"price": "50"}, actor=owner)
    template = ListingTemplateFactory(owner=owner)
    scan = read_scan(owner)

    page.goto("/listings/")
    expect(page.locator("#grid-count [data-matching]")).to_be_attached()
    # Hidden columns are a constructed stylesheet, not a <style> element.
    page.get_by_text("Columns", exact=True).click()
    page.locator("[data-column-toggle='description']").uncheck()
    expect(page.locator(f"tr[data-listing-id='{listing.pk}'] td[data-field='description']")).to_be_hidden()
    title = page.locator(f"tr[data-listing-id='{listing.pk}'] td[data-field='title']")
    title.click()
    page.keyboard.press("Enter")
    expect(title.locator("input[name=value]")).to_be_focused()
    page.keyboard.press("Escape")
    # The bulk form is never submitted natively (was an inline onsubmit).
    prevented = page.evaluate(
        "() => { const submit = new SubmitEvent('submit', {bubbles: true, cancelable: true});"
        " document.getElementById('bulk-form').dispatchEvent(submit); return submit.defaultPrevented; }"
    )
    assert prevented
    assert_clean(page, "grid")

    for path in (
        "/listings/import/",
        "/listings/templates/",
        f"/listings/templates/{template.pk}/",
        "/history/",
        f"/listings/{listing.pk}/history/",
        "/ocr/",
        "/accounts/profile/",
        "/accounts/password/",
        "/api/docs/",
    ):
        page.goto(path)
        assert_clean(page, path)

    page.goto(f"/ocr/{scan.pk}/")
    # The page image comes through the owner-checked view and draws.
    image_loaded = page.locator("svg image").evaluate(
        "image => new Promise((done) => { const probe = new Image(); probe.onload = () => done(probe.width);"
        " probe.onerror = () => done(0); probe.src = image.href.baseVal; })"
    )
    assert image_loaded > 0
    # Enter opens an editable cell (was an hx-trigger filter, which needs eval).
    candidate = page.locator("td.editable[data-field='title']").first
    candidate.focus()
    candidate.press("Enter")
    expect(
        page.locator("td[data-field='title'] input, td[data-field='title'] textarea").first
    ).to_be_visible()
    # Delete asks first (was an inline onsubmit); dismissing keeps the scan.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete scan").click()
    expect(page).to_have_url(f"{live_server.url}/ocr/{scan.pk}/")
    assert_clean(page, "ocr review")


def test_log_in_and_sign_up_pages_have_no_csp_violation(browser_page):
    errors: list[str] = []
    browser_page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    browser_page.context.add_init_script(WATCH_VIOLATIONS)
    browser_page.errors = errors
    for path in ("/accounts/login/", "/accounts/signup/"):
        browser_page.goto(path)
        assert_clean(browser_page, path)
