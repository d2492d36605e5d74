"""Redis unreachable (a closed port): pages and the API keep working, the failure is
logged, health reports the cache down, and rate limits fail open (the documented choice)."""

import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_down():
    cache = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": cache}, RATE_LIMIT_DEFAULT="2/m"):
        yield


def test_pages_work_and_sessions_fall_back_to_the_database(redis_down, owner, password, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING):
        assert client.get("/accounts/login/").status_code == 200
        login = client.post("/accounts/login/", {"username": owner.email, "password": password})
        assert login.status_code == 302
        grid = client.get("/listings/")
    assert grid.status_code == 200
    assert grid.context["user"] == owner  # the cached_db session was read from the database
    redis_errors = [r for r in caplog.records if r.name == settings.DJANGO_REDIS_LOGGER]
    assert redis_errors, "the cache failures must be logged"


def test_api_works_and_rate_limits_fail_open_with_a_warning(redis_down, owner, password, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="marketplace.ratelimits"):
        tokens = client.post(
            "/api/auth/login/", {"email": owner.email, "password": password}, content_type="application/json"
        ).json()
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
        # Five requests against a 2/m limit: nothing is counted, nothing refused.
        codes = [client.get("/api/auth/me/", **bearer).status_code for _ in range(5)]
    assert codes == [200] * 5
    assert any("failing open" in r.getMessage() for r in caplog.records)


def test_failing_closed_is_a_setting_away(redis_down):
    with override_settings(RATELIMIT_FAIL_OPEN=False):
        response = Client().get("/accounts/login/")
    assert response.status_code == 429
    assert response["Retry-After"] == "1"


def test_health_reports_the_cache_down_but_stays_up(redis_down):
    response = Client().get("/api/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["cache"]["ok"] is False
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
