from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

UA = "pytest-agent/1.0"


@pytest.fixture
def api():
    return APIClient(HTTP_USER_AGENT=UA, REMOTE_ADDR="198.51.100.20")


def login(api, email, password):
    return api.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def test_register_returns_user_and_working_tokens(api):
    response = api.post(
        "/api/auth/register/",
        {"email": "New.Seller@Example.COM", "password": "plum tart 2 ledger", "first_name": "Nia"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "new.seller@example.com"  # canonical form (accounts.identity)
    assert body["user"]["first_name"] == "Nia"
    me = api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["email"] == "new.seller@example.com"
    user = User.objects.get(email__iexact="new.seller@example.com")
    assert user.password.startswith("argon2$")
    entry = AuditEntry.objects.get(action="register")
    assert (entry.actor, entry.ip, entry.user_agent) == (user, "198.51.100.20", UA)


def test_register_names_the_fields_it_refuses(api, owner):
    response = api.post(
        "/api/auth/register/", {"email": "OWNER@example.com", "password": "password"}, format="json"
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"email"}
    response = api.post(
        "/api/auth/register/", {"email": "x@example.com", "password": "12345678"}, format="json"
    )
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "password"]
    assert any("too common" in m for m in messages)
    assert any("entirely numeric" in m for m in messages)
    response = api.post(
        "/api/auth/register/", {"email": "y@example.com", "password": "a" * 129}, format="json"
    )
    assert response.status_code == 400
    assert "at most 128" in response.json()["errors"][0]["message"]
    assert not User.objects.filter(email__in=["x@example.com", "y@example.com"]).exists()


def test_whole_token_cycle_login_refresh_rotation_logout(api, owner, password):
    response = login(api, "owner@example.com", password)
    assert response.status_code == 200
    first = response.json()
    assert first["user"]["email"] == "owner@example.com"
    assert api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {first['access']}").status_code == 200

    rotated = api.post("/api/auth/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    second = rotated.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    # The used refresh token is blacklisted by the rotation.
    reused = api.post("/api/auth/refresh/", {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {second['access']}").status_code == 200

    logout = api.post("/api/auth/logout/", {"refresh": second["refresh"]}, format="json")
    assert logout.status_code == 205
    after = api.post("/api/auth/refresh/", {"refresh": second["refresh"]}, format="json")
    assert after.status_code == 401
    again = api.post("/api/auth/logout/", {"refresh": second["refresh"]}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "refresh"

    actions = list(AuditEntry.objects.filter(actor=owner).order_by("id").values_list("action", flat=True))
    assert actions == ["login", "logout"]


def test_token_lifetimes_come_from_settings(api, owner, password):
    tokens = login(api, "owner@example.com", password).json()
    access, refresh = AccessToken(tokens["access"]), RefreshToken(tokens["refresh"])
    assert access["exp"] - access["iat"] == timedelta(minutes=15).total_seconds()
    assert refresh["exp"] - refresh["iat"] == timedelta(days=7).total_seconds()


def test_unknown_email_and_wrong_password_get_identical_answers(api, owner):
    wrong_password = login(api, "owner@example.com", "not the password")
    unknown_email = login(api, "nobody@example.com", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["detail"] == "The e-mail address or password is incorrect."
    failures = AuditEntry.objects.filter(action="login_failed").order_by("id")
    assert [f.changes["email"] for f in failures] == ["owner@example.com", "nobody@example.com"]
    assert [f.object_id for f in failures] == [str(owner.pk), ""]
    assert all(f.ip == "198.51.100.20" and f.user_agent == UA for f in failures)


def test_login_email_is_case_insensitive(api, owner, password):
    assert login(api, "  OWNER@Example.com ", password).status_code == 200
    assert login(api, "OWNER@EXAMPLE.COM", password).status_code == 200


def test_me_accepts_bearer_or_session_and_refuses_anonymous(api, owner):
    assert api.get("/api/auth/me/").status_code == 401
    api.force_login(owner)
    assert api.get("/api/auth/me/").json()["email"] == "owner@example.com"


def test_me_patch_updates_names_not_email(api, owner, password):
    access = login(api, "owner@example.com", password).json()["access"]
    response = api.patch(
        "/api/auth/me/",
        {"first_name": "Ada", "email": "hijack@example.com"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Ada"
    owner.refresh_from_db()
    assert (owner.first_name, owner.email) == ("Ada", "owner@example.com")
    entry = AuditEntry.objects.get(action="profile_update")
    assert entry.changes == {"first_name": ["Sam", "Ada"]}


def test_password_change_requires_old_password_and_revokes_refresh_tokens(api, owner, password):
    tokens = login(api, "owner@example.com", password).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    wrong = api.post(
        "/api/auth/password/",
        {"old_password": "nope", "new_password": "violet anchor 88"},
        format="json",
        **auth,
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "old_password"
    weak = api.post(
        "/api/auth/password/", {"old_password": password, "new_password": "short"}, format="json", **auth
    )
    assert weak.status_code == 400
    assert weak.json()["errors"][0]["field"] == "new_password"

    changed = api.post(
        "/api/auth/password/",
        {"old_password": password, "new_password": "violet anchor 88"},
        format="json",
        **auth,
    )
    assert changed.status_code == 200
    assert api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert (
        api.post("/api/auth/refresh/", {"refresh": changed.json()["refresh"]}, format="json").status_code
        == 200
    )
    assert login(api, "owner@example.com", password).status_code == 401
    assert login(api, "owner@example.com", "violet anchor 88").status_code == 200
    assert AuditEntry.objects.filter(action="password_change", actor=owner).count() == 1


def test_bcrypt_hash_from_an_older_system_verifies_and_is_upgraded_to_argon2(api, owner):
    owner.password = make_password("legacy bcrypt secret", hasher="bcrypt_sha256")
    owner.save(update_fields=["password"])
    assert owner.password.startswith("bcrypt_sha256$")
    assert login(api, "owner@example.com", "legacy bcrypt secret").status_code == 200
    owner.refresh_from_db()
    assert owner.password.startswith("argon2$")
    assert owner.check_password("legacy bcrypt secret")
