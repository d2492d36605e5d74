"""Issue 12, finding 6: an export (a GET, so any site can make a user's browser do
one) once broke the user's history page with a 500."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from audit.services import audit_record
from listings.services.changes import LISTING_TYPE
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    return client


def test_history_page_shows_an_export(seller, owner):
    ListingFactory(owner=owner)
    assert seller.get("/exports/?export_format=csv").status_code == 200
    entry = AuditEntry.objects.get(action="listing.export")
    assert entry.object_type == "exports.export" and entry.object_id == ""
    response = seller.get("/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "You exported 1 listing as CSV" in page
    assert "exports.export" not in page


def test_history_page_survives_a_listing_entry_without_an_id(seller, owner):
    # Entries written before the fix: exports audited as listings with no id.
    audit_record(actor=owner, action="listing.export", object_type=LISTING_TYPE, changes={"count": 3})
    response = seller.get("/history/")
    assert response.status_code == 200
    assert "You exported 3 listings" in response.content.decode()
    assert seller.get("/history/", HTTP_HX_REQUEST="true").status_code == 200
