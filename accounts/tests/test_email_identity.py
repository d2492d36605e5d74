"""One identity per e-mail address (accounts.identity): every spelling of an address
(letter case, the long s ``ſ``, full-width letters, ``ß``) is one account, one lockout
count and one rate-limit budget, on every door."""

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.test import Client, override_settings

from accounts.identity import canonical_email
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

canonical_migration = importlib.import_module("accounts.migrations.0002_canonical_emails")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WRONG = "definitely wrong"
ACCOUNT = "sisi@example.com"
# Spellings Postgres' UPPER() (behind iexact) or Unicode NFKC + case folding equate
# with ACCOUNT; before the one rule, the first logged in while ACCOUNT was locked.
VARIANTS = ["ſisi@example.com", "SISI@Example.com", "ｓｉｓｉ@example.com", " ſiſi@EXAMPLE.COM "]

LOGIN_DOORS = {
    "html": ("/accounts/login/", "username", "form"),
    "admin": ("/admin/login/?next=/admin/", "username", "form"),
    "api": ("/api/auth/login/", "email", "json"),
}


def post(client, path, data, kind):
    if kind == "json":
        return client.post(path, data, content_type="application/json")
    return client.post(path, data)


def log_in(door: str, email: str, password: str, client: Client | None = None):
    path, field, kind = LOGIN_DOORS[door]
    client = client or Client(REMOTE_ADDR="203.0.113.7")
    return post(client, path, {field: email, "password": password}, kind)


def logged_in(door: str, response) -> bool:
    if door == "api":
        return response.status_code == 200 and "access" in response.json()
    return response.status_code == 302


@pytest.fixture
def sisi(db):
    # Staff, so the admin door accepts a right password too.
    return UserFactory(email=ACCOUNT, is_staff=True, is_superuser=True)


def test_the_canonical_form():
    assert {canonical_email(variant) for variant in VARIANTS} == {ACCOUNT}
    assert canonical_email("Straße@Example.com") == canonical_email("STRASSE@example.com")
    # Dotless ı is a letter of its own in Unicode's folding: a different address, so it
    # names a different account (and never this one, whatever Postgres' UPPER() says).
    assert canonical_email("sısı@example.com") != ACCOUNT


@pytest.mark.parametrize("door", sorted(LOGIN_DOORS))
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_locked_account_stays_locked_under_every_spelling(door, variant, sisi, password):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            log_in("api", ACCOUNT, WRONG)
        refused = log_in(door, variant, password)
        assert refused.status_code == 429, refused.content[:200]
        # ...and the refused variant did not lift the lock for the plain spelling.
        assert log_in("api", ACCOUNT, password).status_code == 429


def test_failures_under_different_spellings_and_doors_add_up(sisi, password):
    with time_machine.travel(START, tick=False):
        for door, variant in zip(["api", "html", "admin", "api", "html"], [*VARIANTS, ACCOUNT], strict=True):
            assert not logged_in(door, log_in(door, variant, WRONG))
        for door in LOGIN_DOORS:
            assert log_in(door, ACCOUNT, password).status_code == 429


@pytest.mark.parametrize("door", sorted(LOGIN_DOORS))
def test_any_spelling_logs_in_to_the_one_account(door, sisi, password):
    response = log_in(door, "ſisi@EXAMPLE.com", password)
    assert logged_in(door, response)
    if door == "api":
        assert response.json()["user"]["id"] == sisi.pk


def test_api_registration_of_a_variant_is_refused(sisi):
    for variant in VARIANTS:
        response = Client().post(
            "/api/auth/register/",
            {"email": variant, "password": "plum tart 2 ledger"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "email", "message": "A user with that e-mail address already exists."}
        ]
    assert User.objects.count() == 1


def test_sign_up_form_refuses_a_variant(sisi):
    response = Client().post(
        "/accounts/signup/",
        {"email": "ſisi@example.com", "password1": "plum tart 2 ledger", "password2": "plum tart 2 ledger"},
    )
    assert response.status_code == 200
    assert "A user with that e-mail address already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_admin_add_user_refuses_a_variant(sisi):
    staff_client = Client()
    staff_client.force_login(sisi)
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {"email": "ſisi@example.com", "usable_password": "false", "password1": "", "password2": ""},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_the_canonical_form_is_what_is_stored():
    response = Client().post(
        "/api/auth/register/",
        {"email": "Ｎew.ſeller@Example.COM", "password": "plum tart 2 ledger"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["user"]["email"] == "new.seller@example.com"
    assert User.objects.get().email == "new.seller@example.com"


@override_settings(RATE_LIMIT_ACCOUNTS="3/m", RATE_LIMIT_DEFAULT="1000/m")
def test_every_door_spends_one_budget_per_account_from_any_ip(sisi, password):
    with time_machine.travel(START, tick=False):
        # Three different IPs, three doors, three spellings: one budget of 3.
        assert not logged_in("api", log_in("api", VARIANTS[0], WRONG, Client(REMOTE_ADDR="198.51.100.1")))
        assert not logged_in("html", log_in("html", VARIANTS[1], WRONG, Client(REMOTE_ADDR="198.51.100.2")))
        signup = Client(REMOTE_ADDR="198.51.100.3").post(
            "/accounts/signup/", {"email": VARIANTS[2], "password1": "x", "password2": "x"}
        )
        assert signup.status_code == 200
        for door in LOGIN_DOORS:
            over = log_in(door, VARIANTS[3], password, Client(REMOTE_ADDR="198.51.100.4"))
            assert over.status_code == 429
            assert over.has_header("Retry-After")
        register = Client(REMOTE_ADDR="198.51.100.5").post(
            "/api/auth/register/",
            {"email": ACCOUNT, "password": "plum tart 2 ledger"},
            content_type="application/json",
        )
        assert register.status_code == 429
        # Another account's budget is its own.
        assert log_in("api", "someone.else@example.com", WRONG).status_code == 401


def test_migration_stores_existing_emails_in_canonical_form():
    migration = canonical_migration.store_canonical_emails
    first = UserFactory(email="a@example.com")
    second = UserFactory(email="b@example.com")
    # Rows as the old code stored them, as typed (update() skips the model's save).
    User.objects.filter(pk=first.pk).update(email="Ｍixed.Case@Example.com")
    User.objects.filter(pk=second.pk).update(email="ſam@example.com")
    migration(apps, None)
    assert set(User.objects.values_list("email", flat=True)) == {"mixed.case@example.com", "sam@example.com"}


def test_migration_stops_and_names_accounts_that_are_one_address():
    first = UserFactory(email="a@example.com")
    second = UserFactory(email="b@example.com")
    User.objects.filter(pk=first.pk).update(email="sam@example.com")
    User.objects.filter(pk=second.pk).update(email="ſam@example.com")
    with pytest.raises(RuntimeError, match=rf"user {first.pk} .*user {second.pk}"):
        canonical_migration.store_canonical_emails(apps, None)
