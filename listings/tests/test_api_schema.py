"""Property-based run of every API operation from its own OpenAPI schema: no 5xx,
and every response (success or error) matches what the schema documents."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import NotAServerErrorConfig

from listings.services.changes import listing_create, listing_update
from listings.tests.factories import ListingTemplateFactory


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI handler must not close the test's database
    connection (and with it the test transaction) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, owner, keep_test_connection, settings):
    # Hundreds of requests a minute from one user: the rate limit is not under test here.
    settings.RATELIMIT_ENABLE = False
    # Data for the operations to find: a few listings with history, and a template.
    for number in range(3):
        listing = listing_create(owner=owner, data={"title": f"Lamp {number}", "price": number})
        listing_update(listing=listing, data={"title": f"Desk lamp {number}"}, actor=owner)
    ListingTemplateFactory(owner=owner, defaults={"condition": "New"})
    return {"Authorization": f"Bearer {RefreshToken.for_user(owner).access_token}"}


# Serving the schema reads no data, so it loads at collection time like any module constant.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# Inputs the schema allows (values the services may still reject with a documented 400);
# URLs that match no route at all are Django's, not the API's.
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
# Every check schemathesis has (``--checks all``): server errors, status codes, content
# types, headers and bodies as documented, and the stateful ones (use after free,
# resource availability, ignored auth, another user's objects).
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
# Schema-valid input the rules still refuse is a documented 400 (a wrong old password,
# an unknown condition, an export with nothing selected), 412 (a stale If-Match) or
# 413 (too many items); any other refusal of valid input fails the run.
acceptance = schema.config.checks.positive_data_acceptance
acceptance.expected_statuses = [*acceptance.expected_statuses, "400", "412", "413"]
# 501 is the documented answer of the Flask system's operations this product has no
# counterpart for (starting a scraper, restoring a database dump); any other 5xx fails.
schema.config.checks.not_a_server_error = NotAServerErrorConfig(
    expected_statuses=["2xx", "3xx", "4xx", "501"]
)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=ALL_CHECKS)
