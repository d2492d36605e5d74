from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services
from accounts.selectors import account_locked_until
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def attempt(email: str, ip: str, failures: int, when: datetime) -> AccessAttempt:
    with time_machine.travel(when, tick=False):  # attempt_time is auto_now_add
        return AccessAttempt.objects.create(
            username=email, ip_address=ip, user_agent="t", failures_since_start=failures
        )


def test_every_auth_event_is_audited_with_ip_and_user_agent(password):
    client = Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="audit-check/1")
    strong = "marble falcon 7 keys"
    client.post(
        "/accounts/signup/", {"email": "trail@example.com", "password1": strong, "password2": strong}
    )  # register + login
    client.post("/accounts/logout/")
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            client.post("/accounts/login/", {"username": "trail@example.com", "password": "wrong"})
        client.post(
            "/api/auth/login/",
            {"email": "trail@example.com", "password": strong},
            content_type="application/json",
        )
    client.post("/accounts/login/", {"username": "trail@example.com", "password": strong})
    client.post(
        "/accounts/password/",
        {"old_password": strong, "new_password1": strong + "!", "new_password2": strong + "!"},
    )
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == [
        "register",
        "login",
        "logout",
        *["login_failed"] * 4,
        # axes announces the lock while handling the 5th failure, before it is logged.
        "lockout",
        "login_failed",
        "login_failed",
        "login",
        "password_change",
    ]
    assert {(e.ip, e.user_agent) for e in entries} == {("198.51.100.7", "audit-check/1")}
    assert {e.object_id for e in entries} == {str(entries[0].actor_id)}
    reasons = [e.changes["reason"] for e in entries if e.action == "login_failed"]
    assert reasons == ["bad_credentials"] * 5 + ["locked"]


def test_user_update_audits_only_real_changes(owner):
    services.user_update(user=owner, first_name=owner.first_name, last_name=owner.last_name)
    assert not AuditEntry.objects.filter(action="profile_update").exists()
    services.user_update(user=owner, first_name="Ana", last_name=owner.last_name)
    assert AuditEntry.objects.get(action="profile_update").changes == {"first_name": ["Sam", "Ana"]}


def test_password_change_revokes_every_outstanding_refresh_token(owner):
    for _ in range(3):
        services.token_pair_create(user=owner)
    services.user_password_change(user=owner, new_password="brand new secret 9")
    assert OutstandingToken.objects.filter(user=owner).count() == 3
    assert BlacklistedToken.objects.filter(token__user=owner).count() == 3
    owner.refresh_from_db()
    assert owner.check_password("brand new secret 9")


def test_refresh_token_revoke_refuses_garbage_and_reuse(owner):
    refresh = services.token_pair_create(user=owner)["refresh"]
    assert services.refresh_token_revoke(refresh=refresh) == owner
    with pytest.raises(services.InvalidRefreshToken):
        services.refresh_token_revoke(refresh=refresh)
    with pytest.raises(services.InvalidRefreshToken):
        services.refresh_token_revoke(refresh="not-a-token")
    assert AuditEntry.objects.filter(action="logout", actor=owner).count() == 1


def test_token_pair_create_stamps_last_login(owner):
    assert owner.last_login is None
    services.token_pair_create(user=owner)
    owner.refresh_from_db()
    assert owner.last_login is not None


def test_login_record_resets_failures_for_any_letter_case(owner):
    attempt("owner@example.com", "192.0.2.1", 4, NOW)
    owner.email = "Owner@Example.com"
    services.login_record(user=owner)
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.get(action="login").actor == owner


def test_account_unlock_removes_attempts_and_audits(owner, staff):
    attempt("owner@example.com", "192.0.2.1", 5, NOW)
    attempt("owner@example.com", "192.0.2.2", 1, NOW)
    attempt("other@example.com", "192.0.2.1", 5, NOW)
    assert services.account_unlock(email="OWNER@example.com", actor=staff) == 2
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["other@example.com"]
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.changes == {"email": "OWNER@example.com", "attempts_removed": 2}


def test_locked_until_sums_attempts_from_several_addresses():
    attempt("a@example.com", "192.0.2.1", 2, NOW - timedelta(minutes=20))
    attempt("a@example.com", "192.0.2.2", 2, NOW - timedelta(minutes=10))
    attempt("a@example.com", "192.0.2.3", 1, NOW - timedelta(minutes=5))
    # The oldest row brings the total to 5: the lock ends when it ages out.
    assert account_locked_until(email="A@example.com", now=NOW) == NOW + timedelta(minutes=10)
    # Once it has, 3 failures remain: not locked.
    assert account_locked_until(email="a@example.com", now=NOW + timedelta(minutes=10, seconds=1)) is None
    assert account_locked_until(email="nobody@example.com", now=NOW) is None
