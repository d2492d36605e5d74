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


@pytest.fixture
def multihost_required(postgres_required, redis_required):
    import shutil

    if os.geteuid() != 0:
        _service_missing("needs root: it makes network namespaces")
    for tool in ("ip", "socat", "redis-server"):
        if not shutil.which(tool):
            _service_missing(f"needs {tool}: apt-get install iproute2 socat redis-server")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("multihost"):
            item.fixturenames.insert(0, "multihost_required")
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


@pytest.fixture(scope="session")
def _moto_process():
    from marketplace.tests.s3 import moto_server

    with moto_server() as server:
        yield server


@pytest.fixture
def s3_server(_moto_process, settings):
    """A real S3-protocol server (moto in server mode, one child process per test run
    on a free port of 127.0.0.1, stopped at the end) with a fresh bucket, and the
    default storage (every upload) pointed at it for this test.

    Yields a ``marketplace.tests.s3.S3Server``: ``.bucket`` is this test's bucket,
    ``.client()`` a boto3 client to look into it, ``.endpoint_url`` the address."""
    import dataclasses
    import uuid

    server = dataclasses.replace(_moto_process, bucket=f"uploads-{uuid.uuid4().hex[:12]}")
    server.client().create_bucket(Bucket=server.bucket)
    settings.STORAGES = {**settings.STORAGES, "default": server.storage()}
    return server


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
def owner_client(owner):
    """A Django test client logged in as ``owner`` (session cookie)."""
    from django.test import Client

    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def api(owner):
    """An API client authenticated as ``owner``."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(owner)
    return client


# --- Browser tests: Playwright driving the system's Chromium (no browser download) ---

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    import shutil

    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        _service_missing("needs Chromium: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous, so Django's async-safety guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def owner_page(browser_page, owner, live_server):
    """A page whose browser is logged in as ``owner`` (session cookie, no form)."""
    from django.test import Client

    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return browser_page


@pytest.fixture
def artifacts_dir():
    """Where browser tests leave screenshots for people to look at."""
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
