"""django-axes lockout on the three log-in doors, with time moved, never slept."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WRONG = "definitely wrong"


class Door:
    """One way in: posts credentials and says whether that logged in."""

    def __init__(self, name: str, path: str, field: str, success_status: int, refused_status: int):
        self.name, self.path, self.field = name, path, field
        self.success_status, self.refused_status = success_status, refused_status
        self.client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="lockout-test")

    def attempt(self, email: str, password: str):
        data = {self.field: email, "password": password}
        if self.name == "api":
            return self.client.post(self.path, data, content_type="application/json")
        return self.client.post(self.path, data)


DOORS = {
    "html": lambda: Door("html", "/accounts/login/", "username", 302, 200),
    "admin": lambda: Door("admin", "/admin/login/?next=/admin/", "username", 302, 200),
    "api": lambda: Door("api", "/api/auth/login/", "email", 200, 401),
}


@pytest.fixture(params=sorted(DOORS))
def door(request):
    return DOORS[request.param]()


def assert_locked(response, retry_after: int):
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    assert "locked" in response.content.decode()
    # The retry time is in the message, as a clock time.
    locked_until = START + timedelta(minutes=30)
    assert locked_until.strftime("%H:%M:%S") in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password_until_the_cool_off(door, staff, password):
    # The staff persona can log in at all three doors (the admin requires staff).
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert door.attempt("staff@example.com", WRONG).status_code == door.refused_status
        assert_locked(door.attempt("staff@example.com", WRONG), retry_after=1800)

        clock.shift(timedelta(minutes=10))
        assert_locked(door.attempt("staff@example.com", password), retry_after=1200)

        clock.shift(timedelta(minutes=19, seconds=59))
        assert_locked(door.attempt("staff@example.com", password), retry_after=1)

        clock.shift(timedelta(seconds=2))  # past the 30 minutes
        assert door.attempt("staff@example.com", password).status_code == door.success_status

    failures = AuditEntry.objects.filter(action="login_failed").order_by("id")
    reasons = [entry.changes["reason"] for entry in failures]
    assert reasons == ["bad_credentials"] * 5 + ["locked"] * 2
    lockout = AuditEntry.objects.get(action="lockout")
    assert (lockout.object_id, lockout.ip, lockout.user_agent) == (
        str(staff.pk),
        "203.0.113.9",
        "lockout-test",
    )
    assert lockout.request_path == door.path.split("?")[0]
    assert AuditEntry.objects.filter(action="login", actor=staff).count() == 1


def test_api_lockout_answers_json_with_retry_after(staff):
    door = DOORS["api"]()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            response = door.attempt("staff@example.com", WRONG)
    body = response.json()
    assert body["locked_until"] == (START + timedelta(minutes=30)).isoformat()
    assert body["detail"].startswith("This account is locked")


def test_unknown_email_is_locked_with_the_same_answer_as_a_real_account(owner):
    answers = {}
    for email in ("owner@example.com", "ghost@example.com"):
        door = DOORS["api"]()
        with time_machine.travel(START, tick=False):
            responses = [door.attempt(email, WRONG) for _ in range(6)]
        answers[email] = [
            (r.status_code, r["Retry-After"] if r.has_header("Retry-After") else None) for r in responses
        ]
        answers[email].append(responses[-1].json())
    assert answers["owner@example.com"] == answers["ghost@example.com"]
    assert answers["ghost@example.com"][4][0] == 429


def test_one_count_across_doors_and_letter_case(staff, password):
    html, admin, api = DOORS["html"](), DOORS["admin"](), DOORS["api"]()
    with time_machine.travel(START, tick=False):
        api.attempt("STAFF@example.com", WRONG)
        api.attempt("staff@EXAMPLE.com", WRONG)
        html.attempt("staff@example.com", WRONG)
        html.attempt("Staff@Example.Com", WRONG)
        admin.attempt("staff@example.com", WRONG)
        assert_locked(api.attempt("staff@example.com", password), retry_after=1800)
        assert_locked(html.attempt("staff@example.com", password), retry_after=1800)


def test_a_successful_login_resets_the_count(door, staff, password):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            door.attempt("staff@example.com", WRONG)
        assert door.attempt("staff@example.com", password).status_code == door.success_status
        for _ in range(4):
            door.client.logout()
            assert door.attempt("staff@example.com", WRONG).status_code == door.refused_status
        door.client.logout()
        assert door.attempt("staff@example.com", password).status_code == door.success_status


def test_staff_unlock_from_the_admin(owner, staff, password):
    api = DOORS["api"]()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            api.attempt("owner@example.com", WRONG)
        assert api.attempt("owner@example.com", password).status_code == 429

        admin = Client()
        admin.force_login(staff)
        response = admin.post(
            "/admin/accounts/user/",
            {"action": "unlock_accounts", "_selected_action": [owner.pk]},
            follow=True,
        )
        assert "Unlocked 1 of 1 accounts." in response.content.decode()
        assert api.attempt("owner@example.com", password).status_code == 200

    entry = AuditEntry.objects.get(action="unlock")
    assert (entry.actor, entry.object_id, entry.changes["email"]) == (
        staff,
        str(owner.pk),
        "owner@example.com",
    )


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_value_too_long_to_be_an_address_is_refused_not_recorded(db, field):
    # The lockout's records hold 255 characters; the page fuzzer once sent more (a 500).
    response = Client().post("/accounts/login/", {field: "a" * 300 + "@example.com", "password": WRONG})
    assert response.status_code in (200, 400)
