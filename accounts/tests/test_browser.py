import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "saffron kettle 31"


def test_sign_up_log_out_and_log_in_in_the_browser(browser_page, artifacts_dir):
    page = browser_page
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/listings/")
    page.get_by_role("link", name="Sign up").click()
    page.locator("#id_email").fill("browser@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/listings/")
    assert page.get_by_role("heading", name="Listings").is_visible()
    assert User.objects.filter(email="browser@example.com").exists()

    page.get_by_role("button", name="Log out browser@example.com").click()
    page.wait_for_url("**/accounts/login/")
    page.locator("#id_username").fill("browser@example.com")
    page.locator("#id_password").fill("not it")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("The e-mail address or password is incorrect.").is_visible()
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/listings/")
    page.get_by_role("link", name="Profile").click()
    assert page.get_by_text("browser@example.com").first.is_visible()
    page.screenshot(path=artifacts_dir / "accounts-profile.png")
