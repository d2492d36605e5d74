"""The HTML export view behind the Export dialog, and the dialog itself."""

import csv
import io
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from audit.models import AuditEntry
from exports.tests.conftest import download
from exports.writers import COLUMNS
from listings.tests.factories import ListingFactory


@pytest.fixture
def listings(owner, other_user):
    return [
        ListingFactory(owner=owner, title="Oak chair", description="Wood."),
        ListingFactory(owner=owner, title="Pine table", description="Wood."),
        ListingFactory(owner=other_user, title="Oak wardrobe", description="Wood."),
    ]


def test_dialog_post_downloads_the_filtered_listings(owner_client, listings):
    response = owner_client.post(
        "/exports/",
        {"export_format": "csv", "scope": "filter", "filter": "q=oak&page=2", "ordering": "title"},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="marketplace-listings-')
    rows = list(csv.reader(io.StringIO(download(response).decode(), newline="")))
    assert [len(row) for row in rows] == [len(COLUMNS)] * 2
    assert [row[:7] for row in rows[1:]] == [
        [
            str(listings[0].pk),
            "Oak chair",
            "45.00",
            "Used - Good",
            "Wood.",
            "Furniture//Dining Room Furniture//Dining Chairs",
            "No",
        ]
    ]
    assert AuditEntry.objects.get(action="listing.export").changes == {"format": "csv", "count": 1}


def test_dialog_post_selected_ids(owner_client, listings):
    _, table, theirs = listings
    response = owner_client.post(
        "/exports/",
        {"export_format": "text", "scope": "selected", "ids": [table.pk, theirs.pk], "filter": "q=oak"},
    )
    assert [line.split("\t")[1] for line in download(response).decode().splitlines()[1:]] == ["Pine table"]


def test_invalid_choice_shows_the_dialog_again_with_the_reason(owner_client, listings):
    response = owner_client.post("/exports/", {"export_format": "csv", "scope": "selected"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select at least one listing to export." in html
    assert '<dialog class="export-dialog" id="export-dialog"' in html and " open>" in html
    response = owner_client.post("/exports/", {"export_format": "csv", "filter": "price_max=lots"})
    assert response.status_code == 400
    assert "price_max: “lots” is not a number." in response.content.decode()
    assert not AuditEntry.objects.filter(action="listing.export").exists()


def test_export_page_shows_the_dialog_set_to_the_query(owner_client):
    response = owner_client.get("/exports/", {"q": "oak", "ordering": "-price"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="filter" value="q=oak&amp;ordering=-price"' in html
    assert 'name="ordering" value="-price"' in html
    assert re.search(r'value="facebook"[^>]* checked', html)
    assert "js/export-dialog.js" in html


def test_anonymous_is_sent_to_login(client, db):
    response = client.post("/exports/", {"export_format": "csv"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_partial_renders_in_another_page(owner):
    """What the grid does: {% load exports %}{% export_dialog %} with its own request.GET."""
    request = RequestFactory().get("/listings/", {"q": "chair", "condition": "New"})
    request.user = owner
    html = Template("{% load exports %}{% export_dialog %}").render(Context({"request": request}))
    assert "<dialog" in html and " open>" not in html
    assert 'action="/exports/"' in html
    assert 'name="filter" value="q=chair&amp;condition=New"' in html
    for export_format in ("facebook", "csv", "xlsx", "json", "text", "sql"):
        assert f'value="{export_format}"' in html
