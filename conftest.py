"""Fixtures shared by every app's tests: personas and real-service guards."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.tests.factories import PASSWORD, UserFactory


def _service_missing(reason: str) -> None:
    # In CI (REQUIRE_SERVICES=1) a missing service is a failure, never a skip.
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def redis_required():
    if not settings.REDIS_URL:
        _service_missing("needs Redis: set REDIS_URL")


@pytest.fixture
def postgres_required():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _service_missing("needs PostgreSQL: set DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("redis"):
            item.fixturenames.insert(0, "redis_required")
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "postgres_required")


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters and lockouts live in the cache: no test sees another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com")


@pytest.fixture
def other_user(db):
    return UserFactory(email="other@example.com")


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
