"""Rate limits: the global 100/min, uploads 10/min, exports 50/h; 429 + Retry-After."""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django_ratelimit.core import _get_window
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import UserFactory
from marketplace.ratelimits import rate_limited

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.ratelimit_urls")]

CHILD = Path(__file__).with_name("ratelimit_client.py")
MINUTE, HOUR = 60, 3600


def statuses(client: Client, path: str, count: int, method: str = "get") -> list[int]:
    send = getattr(client, method)
    return [send(path).status_code for _ in range(count)]


def retry_after(response, period: int) -> int:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= period
    return seconds


def fresh_ip(period: int, at_least: int) -> str:
    """An IP whose rate window has at least ``at_least`` seconds left.

    django-ratelimit's fixed windows are staggered by a hash of the key, so picking
    the key keeps a multi-step test inside one window without sleeping.
    """
    for n in range(1, 60_000):
        ip = f"10.{n // 250}.{n % 250}.1"
        if _get_window(f"ip:{ip}", period) - int(time.time()) >= at_least:
            return ip
    raise AssertionError("no IP with a fresh window")


@pytest.fixture
def frozen_clock():
    """Time stands still, so a test's requests all fall in one rate window."""
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        yield clock


# --- The global limit (middleware) -----------------------------------------------------


def test_global_limit_per_anonymous_ip_with_a_friendly_page():
    client = Client(REMOTE_ADDR=fresh_ip(MINUTE, 20))
    assert set(statuses(client, "/accounts/login/", 100)) == {200}
    over = client.get("/accounts/login/")
    retry_after(over, MINUTE)
    assert over["Content-Type"].startswith("text/html")
    assert "Please slow down" in over.content.decode()
    assert 'class="topbar"' in over.content.decode()  # in the base layout
    # Another client is counted apart; health and static files are never limited.
    assert Client(REMOTE_ADDR="192.0.2.200").get("/accounts/login/").status_code == 200
    assert client.get("/api/health/").status_code == 200
    assert client.get("/static/css/app.css").status_code != 429


def test_global_limit_answers_json_on_the_api():
    client = Client(REMOTE_ADDR=fresh_ip(MINUTE, 20))
    assert set(statuses(client, "/api/test/ping/", 100)) == {200}
    over = client.get("/api/test/ping/")
    seconds = retry_after(over, MINUTE)
    assert over.json() == {
        "detail": f"Too many requests. Expected available in {seconds} seconds.",
        "errors": [],
    }


def test_global_limit_counts_per_user_not_per_address(owner, other_user, frozen_clock):
    shared_ip = "192.0.2.60"
    first, second = Client(REMOTE_ADDR=shared_ip), Client(REMOTE_ADDR=shared_ip)
    first.force_login(owner)
    second.force_login(other_user)
    assert set(statuses(first, "/accounts/profile/", 100)) == {200}
    assert first.get("/accounts/profile/").status_code == 429
    assert second.get("/accounts/profile/").status_code == 200


def test_bearer_token_user_is_one_budget_across_addresses(owner, password, frozen_clock):
    login = Client().post(
        "/api/auth/login/", {"email": owner.email, "password": password}, content_type="application/json"
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {login.json()['access']}"}
    assert set(statuses(Client(REMOTE_ADDR="192.0.2.1", **bearer), "/api/auth/me/", 60)) == {200}
    assert set(statuses(Client(REMOTE_ADDR="192.0.2.2", **bearer), "/api/auth/me/", 40)) == {200}
    assert Client(REMOTE_ADDR="192.0.2.3", **bearer).get("/api/auth/me/").status_code == 429


@pytest.mark.parametrize("header", ["Bearer not.a.token", "Bearer two parts", "Basic abc"])
def test_a_bad_authorization_header_is_counted_by_address_and_refused_by_the_view(header, frozen_clock):
    with override_settings(RATE_LIMIT_DEFAULT="2/m"):
        client = Client(REMOTE_ADDR="192.0.2.33", HTTP_AUTHORIZATION=header)
        assert statuses(client, "/api/auth/me/", 2) == [401, 401]
        assert Client(REMOTE_ADDR="192.0.2.33").get("/api/auth/me/").status_code == 429


def test_limits_are_settings_and_the_window_reopens_after_retry_after():
    start = datetime(2026, 5, 1, 12, 0, 5, tzinfo=UTC)
    with override_settings(RATE_LIMIT_DEFAULT="3/m"), time_machine.travel(start, tick=False) as clock:
        client = Client(REMOTE_ADDR="192.0.2.77")
        assert statuses(client, "/accounts/login/", 4) == [200, 200, 200, 429]
        seconds = retry_after(client.get("/accounts/login/"), MINUTE)
        clock.shift(timedelta(seconds=seconds - 1))
        assert client.get("/accounts/login/").status_code == 429
        clock.shift(timedelta(seconds=1))
        assert client.get("/accounts/login/").status_code == 200


def test_limits_can_be_switched_off():
    with override_settings(RATE_LIMIT_DEFAULT="1/m", RATELIMIT_ENABLE=False):
        assert set(statuses(Client(), "/accounts/login/", 3)) == {200}


# --- The decorator: uploads and exports ------------------------------------------------


def test_uploads_limit_on_a_function_view_counts_only_sends():
    client = Client(REMOTE_ADDR=fresh_ip(MINUTE, 20))
    assert set(statuses(client, "/test/upload/", 15)) == {200}  # showing the form is free
    assert set(statuses(client, "/test/upload/", 10, method="post")) == {200}
    over = client.post("/test/upload/")
    retry_after(over, MINUTE)
    assert "Please slow down" in over.content.decode()
    assert client.get("/test/upload/").status_code == 200


def test_uploads_limit_on_a_drf_view_is_json_in_the_api_error_shape(owner, frozen_clock):
    client = Client(REMOTE_ADDR="192.0.2.90")
    client.force_login(owner)
    assert set(statuses(client, "/api/test/upload/", 10, method="post")) == {201}
    over = client.post("/api/test/upload/")
    seconds = retry_after(over, MINUTE)
    assert over.json() == {
        "detail": f"Too many requests. Expected available in {seconds} seconds.",
        "errors": [],
    }
    # Counted per user: the same person from another address is still over.
    elsewhere = Client(REMOTE_ADDR="192.0.2.91")
    elsewhere.force_login(owner)
    assert elsewhere.post("/api/test/upload/").status_code == 429


def test_exports_limit_per_hour_on_a_drf_method():
    client = Client(REMOTE_ADDR=fresh_ip(HOUR, 120))
    assert set(statuses(client, "/api/test/export/", 50)) == {200}
    over = client.get("/api/test/export/")
    assert retry_after(over, HOUR) > MINUTE
    assert over.json()["detail"].startswith("Too many requests.")


def test_decorator_rejects_unknown_names_and_non_views():
    with pytest.raises(ValueError, match="Unknown rate limit"):
        rate_limited("downloads")

    @rate_limited("exports")
    def not_a_view(value):
        return value

    with pytest.raises(TypeError, match="no request"):
        not_a_view(1)


# --- Shared by processes: a second Python process counts in the same Redis -------------


def run_child(**spec) -> list[int]:
    result = subprocess.run(
        [sys.executable, str(CHILD), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.redis
@pytest.mark.parametrize(
    ("path", "method", "limit", "period", "ok_status"),
    [
        ("/accounts/login/", "get", 100, MINUTE, 200),
        ("/test/upload/", "post", 10, MINUTE, 200),
        ("/api/test/export/", "get", 50, HOUR, 200),
    ],
    ids=["global", "uploads", "exports"],
)
def test_each_limit_is_shared_by_two_processes(path, method, limit, period, ok_status):
    ip = fresh_ip(period, 45)
    in_child = limit * 3 // 5
    assert run_child(path=path, method=method, count=in_child, ip=ip) == [ok_status] * in_child
    client = Client(REMOTE_ADDR=ip)
    assert set(statuses(client, path, limit - in_child, method=method)) == {ok_status}
    over = getattr(client, method)(path)
    retry_after(over, period)
    # ...and the child, in its own process, now sees the limit reached too.
    assert run_child(path=path, method=method, count=1, ip=ip) == [429]


@pytest.mark.redis
def test_a_token_user_is_one_budget_across_two_processes():
    # Only the signature is checked for counting, so no user row is needed; the id is
    # chosen for a window with time to spare.
    user_id = next(
        n for n in range(10**6, 10**6 + 1000) if _get_window(f"user:{n}", MINUTE) - time.time() >= 45
    )
    token = AccessToken()
    token["user_id"] = user_id
    assert run_child(path="/api/test/ping/", count=70, ip="192.0.2.10", bearer=str(token)) == [200] * 70
    client = Client(REMOTE_ADDR="192.0.2.11", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert set(statuses(client, "/api/test/ping/", 30)) == {200}
    assert client.get("/api/test/ping/").status_code == 429


def test_per_user_counts_do_not_leak_between_users(frozen_clock):
    users = UserFactory.create_batch(2)
    clients = []
    for user in users:
        client = Client(REMOTE_ADDR="192.0.2.50")
        client.force_login(user)
        clients.append(client)
    with override_settings(RATE_LIMIT_EXPORTS="2/h"):
        assert statuses(clients[0], "/api/test/export/", 3) == [200, 200, 429]
        assert statuses(clients[1], "/api/test/export/", 3) == [200, 200, 429]
