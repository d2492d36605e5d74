"""What the Flask-compatible API does beyond its shapes: its writes land in the same
world as the grid's and the native API's (history, undo, ownership), and the
documentation's curl examples work as written."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from openpyxl import load_workbook

from audit.models import AuditEntry
from flask_api.tests.conftest import FlaskClient, client_for
from listing_templates.models import ListingTemplate
from listings.models import Listing
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from ocr.tests.factories import read_scan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def content(response) -> bytes:
    return b"".join(response.streaming_content)


# --- The documentation's curl examples, as written -----------------------------


def test_curl_register_then_create_listing(db):
    client = FlaskClient()
    # curl -X POST http://localhost:5000/api/auth/register -H "Content-Type: application/json"
    #   -d '{"email":"test@example.com","password":"SecurePass123!","first_name":"Test","last_name":"User"}'
    response = client.call(
        "POST",
        "/api/auth/register",
        '{"email":"test@example.com","password":"SecurePass123!","first_name":"Test","last_name":"User"}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    client.token = response.json()["access_token"]
    assert response.json()["user"]["first_name"] == "Test"
    # The example's "..." stands for the rest of the listing.
    response = client.call(
        "POST",
        "/api/listings",
        '{"title":"Solar Panel 300W","price":150,"condition":"New","description":"High-efficiency",'
        '"category":"Electronics","offer_shipping":"Yes"}',
    )
    assert response.status_code == 201, response.content
    listing = response.json()["listing"]
    assert (listing["price"], listing["offer_shipping"], listing["source"]) == ("150.00", "Yes", "api")


def test_curl_bulk_with_a_bare_array(flask, owner):
    response = flask.call(
        "POST",
        "/api/listings/bulk",
        """[
    {"title":"Solar Panel 300W","price":150,"condition":"New"},
    {"title":"Solar Panel 400W","price":200,"condition":"New"}
  ]""",
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "2 listings created, 0 listings updated"
    assert sorted(Listing.objects.filter(owner=owner).values_list("title", flat=True)) == [
        "Solar Panel 300W",
        "Solar Panel 400W",
    ]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_curl_save_template_with_or_without_content_type(flask, owner, content_type):
    # One example sends -H "Content-Type: application/json"; another leaves it out, so
    # curl labels the JSON as a form.
    response = flask.call(
        "POST",
        "/api/templates",
        """{
    "name": "Solar Panel Template",
    "template_data": {
      "category": "Electronics",
      "offer_shipping": "Yes",
      "condition": "New"
    }
  }""",
        content_type=content_type,
    )
    assert response.status_code == 201, response.content
    template = ListingTemplate.objects.get(owner=owner)
    assert template.defaults == {"category": "Electronics", "offer_shipping": True, "condition": "New"}
    assert response.json()["template"]["template_data"] == template.defaults


def test_curl_export_sql_of_the_listings_sent(flask, owner):
    # -d '{"listings":[...]}' --output marketplace.sql, with the listing the documented
    # output shows.
    response = flask.call(
        "POST",
        "/api/export/sql",
        '{"listings":[{"title":"Solar Panel 300W","price":150,"condition":"New",'
        '"description":"High-efficiency","category":"Electronics","offer_shipping":"Yes"}]}',
    )
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].endswith('.sql"')
    assert (
        "INSERT INTO listings (title, price, condition, description, category, offer_shipping)\n"
        "VALUES ('Solar Panel 300W', 150.00, 'New', 'High-efficiency', 'Electronics', 'Yes');\n"
    ) in content(response).decode()
    assert not Listing.objects.filter(owner=owner).exists()  # exported as given, not stored


def test_export_sql_of_stored_listings_names_them_by_id(flask, owner):
    listing = ListingFactory(owner=owner, title="O'Brien lamp", price=Decimal("12.50"), offer_shipping=True)
    text = content(flask.call("POST", "/api/export/sql", {"listing_ids": [str(listing.pk)]})).decode()
    assert (
        "INSERT INTO marketplace_listings "
        "(id, title, price, condition, description, category, offer_shipping)\n"
        f"VALUES ({listing.pk}, 'O''Brien lamp', 12.50, 'Used - Good', "
    ) in text
    assert text.rstrip().endswith("'Yes');")


# --- Writes land in the grid, the history and undo ------------------------------


def test_a_listing_created_here_is_in_the_grid_its_history_and_undo(flask, owner):
    response = flask.call(
        "POST", "/api/listings", {"title": "Garden bench", "price": "80", "condition": "Used - Good"}
    )
    listing_id = response.json()["listing"]["id"]
    browser = Client()
    browser.force_login(owner)
    assert "Garden bench" in browser.get("/listings/").content.decode()
    history = browser.get(f"/api/listings/{listing_id}/history/").json()["results"]
    assert [entry["action"] for entry in history] == ["listing.create"]
    flask.call("PUT", f"/api/listings/{listing_id}", {"price": 95})
    assert browser.post("/api/listings/undo/").json()["action"] == "listing.update"
    assert Listing.objects.get(pk=listing_id).price == Decimal("80.00")
    browser.post("/api/listings/undo/")
    assert not Listing.objects.filter(pk=listing_id).exists()
    assert "Garden bench" not in browser.get("/listings/").content.decode()


def test_put_is_partial_and_validated_by_the_listing_rules(flask, owner):
    listing = ListingFactory(owner=owner, title="Desk", description="Oak")
    response = flask.call(
        "PUT", f"/api/listings/{listing.pk}", {"price": "$1,299.00", "offer_shipping": "No"}
    )
    assert response.json()["listing"]["price"] == "1299.00"
    assert response.json()["listing"]["description"] == "Oak"
    response = flask.call("PUT", f"/api/listings/{listing.pk}", {"price": "free", "condition": "Broken"})
    assert response.status_code == 400
    assert response.json()["error"] == "Validation failed"
    assert set(response.json()["details"]) == {"price", "condition"}


def test_create_keeps_extra_data_source_and_scan(flask, owner, other_user):
    scan = read_scan(owner)
    response = flask.call(
        "POST",
        "/api/listings",
        {
            "title": "Widget",
            "price": 4.5,
            "condition": "New",
            "source": "ocr",
            "ocr_scan_id": scan.pk,
            "extra_data": {"SKU": "W-1"},
        },
    )
    assert response.status_code == 201, response.content
    listing = Listing.objects.get(pk=response.json()["listing"]["id"])
    assert (listing.source, listing.ocr_scan_id, listing.extra) == ("ocr", scan.pk, {"SKU": "W-1"})
    theirs = read_scan(other_user)
    response = flask.call("POST", "/api/listings", {"title": "W", "price": 1, "ocr_scan_id": theirs.pk})
    assert response.status_code == 400
    assert "ocr_scan_id" in response.json()["details"]


def test_unknown_fields_are_refused_by_name(flask):
    response = flask.call("POST", "/api/listings", {"title": "Lamp", "price": 5, "colour": "red"})
    assert response.status_code == 400
    assert response.json()["details"] == {"colour": ["Unknown field: this operation does not accept it."]}


def test_pages_are_flask_sqlalchemy_pages(flask, owner):
    for number in range(5):
        ListingFactory(owner=owner, title=f"Chair {number}")
    body = flask.call("GET", "/api/listings?page=2&per_page=2").json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (5, 2, 2, 3)
    assert [row["title"] for row in body["listings"]] == ["Chair 2", "Chair 3"]
    assert flask.call("GET", "/api/listings?per_page=500").json()["per_page"] == 100
    assert flask.call("GET", "/api/listings?page=9").json()["listings"] == []


def test_bulk_upserts_by_id_and_creates_for_unknown_ids(flask, owner, other_user):
    mine = ListingFactory(owner=owner, title="Old title")
    theirs = ListingFactory(owner=other_user, title="Not yours")
    response = flask.call(
        "POST",
        "/api/listings/bulk",
        {
            "listings": [
                {"id": str(mine.pk), "title": "New title", "price": 10, "condition": "New"},
                {
                    "id": str(theirs.pk),
                    "title": "Copy",
                    "price": 3,
                    "condition": "New",
                    "extra_data": {"a": 1},
                },
                {
                    "id": "3f1c2b9e-0000-4000-8000-000000000000",
                    "title": "From Flask",
                    "price": 2,
                    "condition": "New",
                },
            ]
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "2 listings created, 1 listings updated"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.title, theirs.title) == ("New title", "Not yours")
    copy = Listing.objects.get(owner=owner, title="Copy")
    assert (copy.extra, copy.source) == ({"a": 1}, "import")


def test_bulk_is_all_or_nothing_and_at_most_100(flask, owner):
    response = flask.call(
        "POST", "/api/listings/bulk", [{"title": "Fine", "price": 1}, {"title": "", "price": -1}]
    )
    assert response.status_code == 400
    assert set(response.json()["details"]["listings"]["1"]) == {"title", "price"}
    assert not Listing.objects.filter(owner=owner).exists()
    response = flask.call("POST", "/api/listings/bulk", [{"title": "x", "price": 1}] * 101)
    assert response.status_code == 400


def test_bulk_delete_removes_only_my_listings_as_one_undo_step(flask, owner, other_user):
    mine = [ListingFactory(owner=owner) for _ in range(2)]
    theirs = ListingFactory(owner=other_user)
    response = flask.call(
        "DELETE", "/api/listings/bulk", {"listing_ids": [str(m.pk) for m in mine] + [str(theirs.pk)]}
    )
    assert response.json()["deleted_count"] == 2
    assert Listing.objects.filter(pk=theirs.pk).exists()
    browser = Client()
    browser.force_login(owner)
    assert browser.post("/api/listings/undo/").json()["listings"] == 2


def test_template_use_counts_and_audits(flask, owner, other_user):
    public = ListingTemplateFactory(owner=other_user, is_public=True)
    response = flask.call("POST", f"/api/templates/{public.pk}/use")
    assert response.json()["template"]["use_count"] == 1
    assert AuditEntry.objects.filter(actor=owner, action="template.use", object_id=str(public.pk)).exists()
    # Public templates can be used, not changed.
    assert flask.call("PUT", f"/api/templates/{public.pk}", {"name": "Mine now"}).status_code == 404


def test_template_data_is_checked_by_the_listing_rules(flask):
    response = flask.call(
        "POST", "/api/templates", {"name": "Bad", "template_data": {"price": "lots", "colour": 1}}
    )
    assert response.status_code == 400
    assert "template_data" in response.json()["details"]


def test_export_respects_listing_ids_and_writes_facebook_columns(flask, owner, other_user):
    chosen = ListingFactory(owner=owner, title="Chosen", price=Decimal("12.50"), offer_shipping=True)
    ListingFactory(owner=owner, title="Not chosen")
    theirs = ListingFactory(owner=other_user)
    items = json.loads(
        content(flask.call("POST", "/api/export/json", {"listing_ids": [chosen.pk, theirs.pk]}))
    )
    assert items == [
        {
            "TITLE": "Chosen",
            "PRICE": 12.5,
            "CONDITION": "Used - Good",
            "DESCRIPTION": chosen.description,
            "CATEGORY": chosen.category,
            "OFFER SHIPPING": "Yes",
        }
    ]
    assert flask.call("POST", "/api/export/json", {"listing_ids": [theirs.pk]}).status_code == 404
    workbook = load_workbook(io.BytesIO(content(flask.call("POST", "/api/export/xlsx", {}))))
    assert workbook.sheetnames == ["Marketplace Listings"]
    assert workbook.active.max_row == 3


def test_ocr_correction_edits_candidates(flask, owner):
    scan = read_scan(owner, prices=("4.50", "12.99"))
    products = flask.call("GET", f"/api/ocr/scans/{scan.pk}").json()["extracted_data"]["products"]
    products[1]["price"] = "13.49"
    response = flask.call(
        "POST", f"/api/ocr/scans/{scan.pk}/correct", {"corrected_data": {"products": products}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["ocr_scan"]["status"] == "corrected"
    assert response.json()["ocr_scan"]["extracted_data"]["products"][1]["price"] == "13.49"
    response = flask.call(
        "POST", f"/api/ocr/scans/{scan.pk}/correct", {"corrected_data": {"products": [{"colour": 1}]}}
    )
    assert response.status_code == 400


# --- Accounts --------------------------------------------------------------------


def test_logout_revokes_the_refresh_tokens(owner, password):
    client = FlaskClient()
    refresh = client.login(owner.email, password)["refresh_token"]
    assert client.call("POST", "/api/auth/refresh", {"refresh_token": refresh}).status_code == 200
    # Flask's refresh did not rotate: the same refresh token still works.
    assert client.call("POST", "/api/auth/refresh", {"refresh_token": refresh}).status_code == 200
    assert client.call("POST", "/api/auth/logout").json() == {"message": "Logout successful"}
    response = client.call("POST", "/api/auth/refresh", {"refresh_token": refresh})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or expired refresh token"}


def test_change_password_checks_the_current_one(flask, owner, password):
    response = flask.call(
        "POST", "/api/auth/change-password", {"current_password": "nope", "new_password": "x"}
    )
    assert response.status_code == 401
    response = flask.call(
        "POST", "/api/auth/change-password", {"current_password": password, "new_password": "123"}
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["details"]


def test_no_token_is_a_401_with_flasks_error_shape(db):
    response = FlaskClient().call("GET", "/api/listings")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_users_are_for_staff_only(flask, flask_staff, other_user):
    assert flask.call("GET", f"/api/users/{other_user.pk}").status_code == 403
    body = flask_staff.call("GET", "/api/users?search=other").json()
    assert [user["email"] for user in body["users"]] == ["other@example.com"]
    response = flask_staff.call("POST", f"/api/users/{other_user.pk}/toggle-active")
    assert response.json()["user"]["is_active"] is False
    assert AuditEntry.objects.filter(action="user.admin_update", object_id=str(other_user.pk)).exists()


# --- Insights ----------------------------------------------------------------------


def test_analytics_are_the_listings_aggregates(flask, owner, other_user):
    for price, condition in (("10", "New"), ("20", "New"), ("60", "Used - Good")):
        ListingFactory(owner=owner, price=Decimal(price), condition=condition, category="Electronics")
    ListingFactory(owner=other_user, price=Decimal("1000"))
    summary = flask.call("GET", "/api/analytics/summary").json()
    assert (summary["total_listings"], summary["average_price"], summary["total_value"]) == (3, 30.0, 90.0)
    assert summary["price_range"] == {"min": 10.0, "max": 60.0}
    assert summary["condition_counts"] == {"New": 2, "Used - Good": 1}
    histogram = flask.call("GET", "/api/analytics/price-distribution?bins=5").json()
    # Ranges of 10 from 10: [10, 20) [20, 30) ... [50, 60], as Flask counted them.
    assert [b["count"] for b in histogram["bins"]] == [1, 1, 0, 0, 1]
    assert histogram["statistics"]["median"] == 20.0
    series = flask.call("GET", "/api/analytics/time-series?period=day&days=7").json()
    assert sum(point["count"] for point in series["data"]) == 3
    trends = flask.call("GET", "/api/analytics/trends").json()
    assert trends["top_categories"] == [{"category": "Electronics", "count": 3, "avg_price": 30.0}]
    assert flask.call("GET", "/api/analytics/price-distribution?bins=0").status_code == 400


def test_duplicate_cleanup_keeps_the_newest_and_can_be_undone(flask, owner):
    older = ListingFactory(owner=owner, title="Lamp")
    newer = ListingFactory(owner=owner, title="LAMP")
    ListingFactory(owner=owner, title="Desk")
    assert flask.call("GET", "/api/admin/stats").json()["potential_duplicates"] == 1
    body = flask.call("POST", "/api/admin/cleanup/duplicates").json()
    assert (body["removed"], body["remaining"]) == (1, 2)
    assert not Listing.objects.filter(pk=older.pk).exists()
    assert Listing.objects.filter(pk=newer.pk).exists()
    browser = Client()
    browser.force_login(owner)
    browser.post("/api/listings/undo/")
    assert Listing.objects.filter(owner=owner).count() == 3


def test_file_history_lists_exports_and_scans(flask, owner, other_user):
    ListingFactory(owner=owner)
    content(flask.call("POST", "/api/export/csv", {}))
    read_scan(owner)
    read_scan(other_user)
    history = flask.call("GET", "/api/file-history").json()
    assert [entry["file_type"] for entry in history["file_history"]] == ["ocr", "export"]
    assert history["file_history"][1]["file_format"] == "csv"
    assert history["total"] == 2


def test_backup_restore_is_not_a_raw_restore(flask):
    upload = SimpleUploadedFile("backup.sql", b"DROP TABLE accounts_user;")
    response = flask.call("POST", "/api/backup/restore", {"file": upload}, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert response.json()["error"] == "This is not a backup zip."


def test_a_backup_made_by_one_account_restores_into_an_empty_one(flask, owner, other_user):
    ListingFactory.create_batch(3, owner=owner)
    backup = b"".join(flask.call("POST", "/api/backup/create", {}).streaming_content)
    upload = SimpleUploadedFile("backup.zip", backup)
    restored = client_for(other_user).call(
        "POST", "/api/backup/restore", {"file": upload}, content_type=MULTIPART_CONTENT
    )
    assert restored.status_code == 200, restored.content
    assert restored.json()["restored"]["listings"] == 3
    assert sorted(Listing.objects.filter(owner=other_user).values_list("title", flat=True)) == sorted(
        Listing.objects.filter(owner=owner).values_list("title", flat=True)
    )
    again = flask.call(
        "POST",
        "/api/backup/restore",
        {"file": SimpleUploadedFile("b.zip", backup)},
        content_type=MULTIPART_CONTENT,
    )
    assert again.status_code == 400 and "already has listings" in again.json()["error"]


def test_index_redirects_a_browser_to_the_grid(db):
    assert Client().get("/", HTTP_ACCEPT="text/html,*/*").status_code == 302
    assert (
        Client().get("/", HTTP_ACCEPT="application/json").json()["message"] == "Marketplace Bulk Editor API"
    )


# --- The native API beside it --------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_a_native_path_without_its_slash_is_a_json_404_naming_it(owner, settings, debug):
    settings.DEBUG = debug
    listing = ListingFactory(owner=owner)
    browser = Client()
    browser.force_login(owner)
    response = browser.post(f"/api/listings/{listing.pk}/duplicate", "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["path"] == f"/api/listings/{listing.pk}/duplicate/"
    assert browser.get("/api/no/such/thing/").json()["detail"] == "No such API path."


def test_native_endpoints_refuse_unknown_fields(owner):
    browser = Client()
    browser.force_login(owner)
    response = browser.post(
        "/api/listings/", {"title": "Lamp", "price": 5, "colour": "red"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "colour", "message": "Unknown field: this operation does not accept it."}
    ]
    response = browser.post(
        "/api/listings/bulk/",
        {"items": [{"title": "Lamp", "price": 5, "colour": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items.0.colour"
    assert not Listing.objects.filter(owner=owner).exists()


def test_schema_documents_both_apis(db):
    import yaml

    schema = yaml.safe_load(Client().get("/api/schema/").content)
    assert schema["paths"]["/api/listings"]["post"]["tags"] == ["Flask-compatible"]
    assert "Flask-compatible" not in schema["paths"]["/api/listings/"]["post"]["tags"]
    assert schema["paths"]["/api/listings/bulk"]["post"]["responses"]["400"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/FlaskError"}


def test_backup_holds_history(flask, owner):
    flask.call("POST", "/api/listings", {"title": "Lamp", "price": 5})
    archive = zipfile.ZipFile(io.BytesIO(content(flask.call("POST", "/api/backup/create"))))
    actions = {entry["action"] for entry in json.loads(archive.read("history.json"))}
    assert "listing.create" in actions


@pytest.mark.parametrize("path_id", ["\u00b9", "\u2460", "\u0661", "12a", "99999999999999999999"])
def test_an_id_that_is_not_ascii_digits_is_not_found(flask, path_id):
    response = flask.call("PUT", f"/api/templates/{path_id}", {"name": "Mine now"})

    assert response.status_code == 404
    assert response.json() == {"error": "Template not found"}
