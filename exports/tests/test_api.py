"""GET|POST /api/export/{format}/: scope, order, ownership, audit, errors."""

import csv
import io
import json
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from audit.models import AuditEntry
from exports.tests.conftest import download
from exports.writers import JSON_KEYS
from listings.fields import Condition
from listings.tests.factories import ListingFactory

FILENAME = re.compile(r'attachment; filename="marketplace-listings-\d{8}-\d{6}\.(\w+)"')


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def listings(owner, other_user):
    mine = [
        ListingFactory(
            owner=owner,
            title="Oak chair",
            description="Solid wood.",
            price=Decimal("45.00"),
            condition=Condition.USED_GOOD,
        ),
        ListingFactory(
            owner=owner,
            title="Pine table",
            description="Solid wood.",
            price=Decimal("120.00"),
            condition=Condition.NEW,
        ),
        ListingFactory(
            owner=owner,
            title="Oak desk",
            description="Solid wood.",
            price=Decimal("80.50"),
            condition=Condition.USED_FAIR,
        ),
    ]
    theirs = ListingFactory(owner=other_user, title="Oak wardrobe (not yours)", price=Decimal("10.00"))
    return {"mine": mine, "theirs": theirs}


def titles(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(download(response).decode(), newline="")))
    assert rows[0][:2] == ["ID", "TITLE"]
    return [row[1] for row in rows[1:]]


def test_all_listings_in_the_grid_default_order_never_another_users(api, listings):
    response = api.get("/api/export/csv/")
    assert response.streaming
    assert FILENAME.fullmatch(response["Content-Disposition"]).group(1) == "csv"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # The grid's default: most recently updated first.
    assert titles(response) == ["Oak desk", "Pine table", "Oak chair"]


def test_ordering_is_followed(api, listings):
    assert titles(api.get("/api/export/csv/", {"ordering": "price"})) == [
        "Oak chair",
        "Oak desk",
        "Pine table",
    ]
    assert titles(api.post("/api/export/csv/", {"ordering": ["-price"]}, format="json")) == [
        "Pine table",
        "Oak desk",
        "Oak chair",
    ]


def test_filter_as_query_string_and_as_json_object(api, listings):
    assert titles(api.get("/api/export/csv/", {"filter": "q=oak&ordering=title"})) == [
        "Oak chair",
        "Oak desk",
    ]
    response = api.post("/api/export/csv/", {"filter": {"q": "oak", "price_min": 50}}, format="json")
    assert titles(response) == ["Oak desk"]


def test_selected_ids_in_the_given_order_and_another_users_id_matches_nothing(api, listings):
    chair, table, desk = listings["mine"]
    ids = [desk.pk, chair.pk, listings["theirs"].pk]
    response = api.post("/api/export/csv/", {"ids": ids, "ordering": "title"}, format="json")
    assert titles(response) == ["Oak chair", "Oak desk"]
    assert titles(api.get("/api/export/csv/", {"ids": f"{table.pk},{listings['theirs'].pk}"})) == [
        "Pine table"
    ]
    assert titles(api.get(f"/api/export/csv/?ids={listings['theirs'].pk}")) == []


def test_another_users_listings_never_appear_in_any_format(api, listings):
    for export_format in ("csv", "json", "text", "sql", "xlsx", "facebook"):
        body = download(api.get(f"/api/export/{export_format}/", {"filter": "q=wardrobe"}))
        if export_format in ("xlsx", "facebook"):
            sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
            body = json.dumps(list(sheet.values)).encode()
        assert b"wardrobe" not in body, export_format


def test_scope_all_ignores_the_filter_and_selected_needs_ids(api, listings):
    assert len(titles(api.get("/api/export/csv/", {"scope": "all", "filter": "q=pine"}))) == 3
    assert titles(api.get("/api/export/csv/", {"scope": "filter", "filter": "q=pine", "ids": "1"})) == [
        "Pine table"
    ]
    response = api.post("/api/export/csv/", {"scope": "selected"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "ids", "message": "Select at least one listing to export."}
    ]


def test_json_export_holds_the_scoped_listings(api, listings):
    data = json.loads(
        download(api.post("/api/export/json/", {"filter": {"condition": "New"}}, format="json"))
    )
    expected = {
        "id": listings["mine"][1].pk,
        "title": "Pine table",
        "price": "120.00",
        "condition": "New",
        "description": listings["mine"][1].description,
        "category": listings["mine"][1].category,
        "offer_shipping": False,
        "status": "ready",
        "sku": "",
        "quantity": 1,
        "sold_price": None,
        "notes": "",
        "sold_at": None,
    }
    assert [list(item) for item in data] == [list(JSON_KEYS)]
    assert [{name: item[name] for name in expected} for item in data] == [expected]


def test_facebook_over_fifty_is_a_zip_and_audited(api, owner):
    ListingFactory.create_batch(51, owner=owner)
    response = api.get("/api/export/facebook/")
    assert FILENAME.fullmatch(response["Content-Disposition"]).group(1) == "zip"
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download(response)))
    assert [name[-9:] for name in archive.namelist()] == ["-001.xlsx", "-002.xlsx"]
    entry = AuditEntry.objects.get(action="listing.export")
    assert entry.changes == {"format": "facebook", "count": 51}
    assert entry.actor == owner


def test_each_export_is_audited_with_format_and_count(api, listings):
    download(api.get("/api/export/text/", {"filter": "q=oak"}))
    download(api.get("/api/export/xlsx/"))
    assert list(
        AuditEntry.objects.filter(action="listing.export").order_by("id").values_list("changes", flat=True)
    ) == [
        {"format": "text", "count": 2},
        {"format": "xlsx", "count": 3},
    ]


def test_bom_option(api, listings):
    assert download(api.get("/api/export/csv/", {"bom": "true"})).startswith(b"\xef\xbb\xbfID,TITLE")
    assert download(api.get("/api/export/text/")).startswith(b"ID\tTITLE\t")


def test_file_even_when_the_client_accepts_only_that_type(api, listings):
    response = api.get("/api/export/csv/", HTTP_ACCEPT="text/csv")
    assert len(titles(response)) == 3


def test_jwt_authentication(owner, listings):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    assert len(titles(client.get("/api/export/csv/"))) == 3


def test_anonymous_is_refused(db):
    response = APIClient().get("/api/export/csv/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_unknown_format_is_404_with_the_formats(api):
    response = api.get("/api/export/pdf/")
    assert response.status_code == 404
    assert "csv" in response.json()["detail"] and "facebook" in response.json()["detail"]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"ids": "1,abc"}, "ids", "“abc” is not a listing id."),
        ({"filter": "price_min=cheap"}, "filter.price_min", "“cheap” is not a number."),
        ({"filter": "price_max=NaN"}, "filter.price_max", "“NaN” is not a price."),
        ({"filter": "price_min=1e999999"}, "filter.price_min", "“1e999999” is not a price."),
        ({"filter": "{not json"}, "filter", "The filter is not valid JSON."),
        ({"filter": "offer_shipping=maybe"}, "filter.offer_shipping", "“maybe” is not yes or no."),
        (
            {"scope": "everything"},
            "scope",
            "Select a valid choice. everything is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_400_naming_field_and_reason(api, params, field, message):
    response = api.get("/api/export/csv/", params)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert not AuditEntry.objects.filter(action="listing.export").exists()


def test_a_body_that_is_not_an_object_is_400(api):
    response = api.post("/api/export/csv/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The body must be a JSON object."
