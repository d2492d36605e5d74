"""Two templates with one name at once: one is created, the other gets the same
answer it would get a moment later. Real threads against PostgreSQL."""

import pytest

from listing_templates.models import ListingTemplate
from listings.tests.test_races import PARALLEL, api_for, status_of
from marketplace.tests.threads import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_templates_with_one_name_at_once(owner):
    clients = [api_for(owner) for _ in range(PARALLEL)]
    body = {"name": "Chairs", "defaults": {"condition": "New"}}
    results = run_together(*[lambda c=c: c.post("/api/templates/", body, format="json") for c in clients])
    codes = sorted(status_of(result) for result in results)
    assert codes == [201] + [400] * (PARALLEL - 1)
    refused = next(result for result in results if result.status_code == 400).json()
    assert refused["errors"][0]["message"] == "You already have a template with this name."
    assert ListingTemplate.objects.filter(owner=owner, name="Chairs").count() == 1
