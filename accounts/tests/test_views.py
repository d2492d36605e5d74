import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

UA = "pytest-browser/2.0"
STRONG = "tangerine quartz 42"


@pytest.fixture
def client():
    return Client(HTTP_USER_AGENT=UA, REMOTE_ADDR="192.0.2.44")


def test_signup_creates_logs_in_and_lands_on_listings(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert b'class="topbar"' in page.content  # the base layout
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@example.com", "first_name": "Fay", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("listings:grid")
    user = User.objects.get(email="fresh@example.com")
    assert client.get(reverse("listings:grid")).context["user"] == user
    actions = list(
        AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", "ip", "user_agent")
    )
    assert actions == [("register", "192.0.2.44", UA), ("login", "192.0.2.44", UA)]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "owner@example.com", "password1": STRONG, "password2": STRONG}, "email", "already exists"),
        (
            {"email": "a@example.com", "password1": STRONG, "password2": STRONG + "x"},
            "password2",
            "do not match",
        ),
        (
            {"email": "a@example.com", "password1": "password1", "password2": "password1"},
            "password1",
            "too common",
        ),
        ({"email": "a@example.com", "password1": "short", "password2": "short"}, "password1", "too short"),
        ({"email": "not-an-email", "password1": STRONG, "password2": STRONG}, "email", "valid email"),
    ],
)
def test_signup_shows_clear_field_errors(client, owner, data, field, message):
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_login_lands_on_the_listings_page_and_honours_a_safe_next(client, owner, password):
    response = client.post("/accounts/login/", {"username": "owner@example.com", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("listings:grid")
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "owner@example.com", "password": password, "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "owner@example.com", "password": password, "next": "https://evil.test/"},
    )
    assert response["Location"] == reverse("listings:grid")


def test_login_page_redirected_to_from_a_protected_page(client):
    response = client.get(reverse("listings:grid"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_email_and_wrong_password_read_the_same(client, owner):
    wrong = client.post("/accounts/login/", {"username": "owner@example.com", "password": "nope"})
    unknown = client.post("/accounts/login/", {"username": "ghost@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "The e-mail address or password is incorrect." in wrong.content.decode()
    assert AuditEntry.objects.filter(action="login_failed").count() == 2


def test_forms_require_csrf(owner, password):
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post("/accounts/login/", {"username": "owner@example.com", "password": password}).status_code
        == 403
    )
    page = strict.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = strict.post(
        "/accounts/login/",
        {"username": "owner@example.com", "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_logout_is_a_post_and_is_audited(client, owner):
    client.force_login(owner)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("listings:grid")).status_code == 302
    assert AuditEntry.objects.filter(action="logout", actor=owner, ip="192.0.2.44").exists()


def test_password_change_keeps_this_session_and_is_audited(client, owner, password):
    client.force_login(owner)
    wrong = client.post(
        "/accounts/password/", {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert wrong.status_code == 200
    assert "old password was entered incorrectly" in wrong.content.decode()
    response = client.post(
        "/accounts/password/", {"old_password": password, "new_password1": STRONG, "new_password2": STRONG}
    )
    assert response["Location"] == reverse("accounts:profile")
    assert client.get("/accounts/profile/").status_code == 200  # still logged in
    owner.refresh_from_db()
    assert owner.check_password(STRONG)
    entry = AuditEntry.objects.get(action="password_change")
    assert (entry.actor, entry.user_agent) == (owner, UA)


def test_profile_shows_and_updates_names(client, owner):
    assert client.get("/accounts/profile/").status_code == 302
    client.force_login(owner)
    page = client.get("/accounts/profile/")
    assert "owner@example.com" in page.content.decode()
    assert b'href="/accounts/profile/"' in page.content  # linked from the base layout
    client.post("/accounts/profile/", {"first_name": "Olu", "last_name": "Seller"})
    owner.refresh_from_db()
    assert owner.first_name == "Olu"
    assert AuditEntry.objects.get(action="profile_update").changes == {"first_name": ["Sam", "Olu"]}


def test_profile_sets_the_currency(client, owner):
    client.force_login(owner)
    assert owner.currency == "USD"
    client.post("/accounts/profile/", {"first_name": owner.first_name, "last_name": "", "currency": "EUR"})
    owner.refresh_from_db()
    assert owner.currency == "EUR"
    page = client.post("/accounts/profile/", {"currency": "XYZ"})
    assert "Select a valid choice" in page.content.decode()
    owner.refresh_from_db()
    assert owner.currency == "EUR"


def test_anonymous_layout_offers_log_in_and_sign_up(client):
    content = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in content
    assert 'href="/accounts/login/"' in content


def test_bcrypt_password_is_upgraded_on_html_login(client, owner):
    owner.password = make_password("old system secret", hasher="bcrypt_sha256")
    owner.save(update_fields=["password"])
    response = client.post(
        "/accounts/login/", {"username": "owner@example.com", "password": "old system secret"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.password.startswith("argon2$")
