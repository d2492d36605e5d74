"""Every endpoint of the Flask system, called as its clients call it (its paths,
without a trailing slash, and its field names): the status and the keys of the answer,
as ``shared/seed-api/flask-endpoints.md`` lists them. On Postgres, through the real
URLconf and middleware."""

import pytest
from django.test.client import MULTIPART_CONTENT

from flask_api.tests.conftest import FlaskClient, client_for, tokens_for
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from ocr.tests.factories import read_scan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

USER_KEYS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_admin",
    "email_verified",
    "last_login",
    "created_at",
    "updated_at",
}
LISTING_KEYS = {
    "id",
    "user_id",
    "title",
    "price",
    "condition",
    "description",
    "category",
    "offer_shipping",
    "source",
    "ocr_scan_id",
    "extra_data",
    "created_at",
    "updated_at",
}
TEMPLATE_KEYS = {
    "id",
    "user_id",
    "name",
    "description",
    "template_data",
    "is_public",
    "use_count",
    "created_at",
    "updated_at",
}
SCAN_KEYS = {
    "id",
    "user_id",
    "filename",
    "file_size",
    "file_type",
    "status",
    "ocr_text",
    "extracted_data",
    "error_message",
    "processing_time",
    "items_extracted",
    "confidence_score",
    "created_at",
    "updated_at",
    "completed_at",
}
PAGE = {"total", "page", "per_page", "pages"}
NEW_PASSWORD = "Another-Secret-42!"
LISTING = {"title": "Solar Panel 300W", "price": 150, "condition": "New", "offer_shipping": "Yes"}

# (method, path, body, status, keys of the answer, who calls). Paths name the
# objects of the world below: {listing}, {template}, {scan}, {user}, {file}.
ENDPOINTS = [
    (
        "POST",
        "/api/auth/register",
        {"email": "new@example.com", "password": "SecurePass123!", "first_name": "Test"},
        201,
        {"message", "user", "access_token", "refresh_token"},
        None,
    ),
    (
        "POST",
        "/api/auth/register",
        {"email": "owner@example.com", "password": "SecurePass123!"},
        409,
        {"error"},
        None,
    ),
    (
        "POST",
        "/api/auth/login",
        {"email": "owner@example.com", "password": "correct horse battery staple"},
        200,
        {"message", "user", "access_token", "refresh_token"},
        None,
    ),
    ("POST", "/api/auth/login", {"email": "owner@example.com", "password": "wrong"}, 401, {"error"}, None),
    ("POST", "/api/auth/refresh", "{refresh}", 200, {"access_token"}, None),
    ("POST", "/api/auth/logout", None, 200, {"message"}, "owner"),
    ("GET", "/api/auth/me", None, 200, USER_KEYS, "owner"),
    (
        "POST",
        "/api/auth/change-password",
        {"current_password": "correct horse battery staple", "new_password": NEW_PASSWORD},
        200,
        {"message"},
        "owner",
    ),
    (
        "PUT",
        "/api/auth/profile",
        {"first_name": "Ada", "last_name": "Lovelace"},
        200,
        {"message", "user"},
        "owner",
    ),
    ("GET", "/api/listings?page=1&per_page=2", None, 200, {"listings", *PAGE}, "owner"),
    ("GET", "/api/listings/{listing}", None, 200, LISTING_KEYS, "owner"),
    ("GET", "/api/listings/{other_listing}", None, 404, {"error"}, "owner"),
    ("POST", "/api/listings", LISTING, 201, {"message", "listing"}, "owner"),
    ("PUT", "/api/listings/{listing}", {"price": 99}, 200, {"message", "listing"}, "owner"),
    ("DELETE", "/api/listings/{listing}", None, 200, {"message"}, "owner"),
    (
        "POST",
        "/api/listings/bulk",
        {"listings": [LISTING, LISTING]},
        201,
        {"message", "listings", "errors"},
        "owner",
    ),
    (
        "DELETE",
        "/api/listings/bulk",
        {"listing_ids": ["{listing}"]},
        200,
        {"message", "deleted_count"},
        "owner",
    ),
    ("GET", "/api/templates", None, 200, {"templates"}, "owner"),
    ("GET", "/api/templates/{template}", None, 200, TEMPLATE_KEYS, "owner"),
    (
        "POST",
        "/api/templates",
        {"name": "Solar", "template_data": {"category": "Electronics"}},
        201,
        {"message", "template"},
        "owner",
    ),
    (
        "PUT",
        "/api/templates/{template}",
        {"template_data": {"condition": "Used - Good"}},
        200,
        {"message", "template"},
        "owner",
    ),
    ("DELETE", "/api/templates/{template}", None, 200, {"message"}, "owner"),
    ("POST", "/api/templates/{template}/use", None, 200, {"message", "template"}, "owner"),
    ("GET", "/api/ocr/scans?page=1&per_page=5", None, 200, {"scans", *PAGE}, "owner"),
    ("GET", "/api/ocr/scans/{scan}", None, 200, SCAN_KEYS, "owner"),
    (
        "POST",
        "/api/ocr/scans/{scan}/correct",
        {"corrected_data": {"products": [{"title": "Blue widget"}]}},
        200,
        {"message", "ocr_scan"},
        "owner",
    ),
    ("DELETE", "/api/ocr/scans/{scan}", None, 200, {"message"}, "owner"),
    ("GET", "/health", None, 200, {"status", "environment"}, None),
    ("GET", "/", None, 200, {"message", "version", "endpoints"}, None),
    ("POST", "/api/admin/cleanup/duplicates", None, 200, {"message", "removed", "remaining"}, "owner"),
    (
        "GET",
        "/api/admin/stats",
        None,
        200,
        {"total_listings", "unique_titles", "potential_duplicates"},
        "owner",
    ),
    (
        "GET",
        "/api/analytics/summary",
        None,
        200,
        {
            "total_listings",
            "average_price",
            "total_value",
            "price_range",
            "condition_counts",
            "category_counts",
            "shipping_counts",
        },
        "owner",
    ),
    ("GET", "/api/analytics/price-distribution?bins=5", None, 200, {"bins", "statistics"}, "owner"),
    (
        "GET",
        "/api/analytics/time-series?period=week&days=30",
        None,
        200,
        {"data", "period", "days_back"},
        "owner",
    ),
    (
        "GET",
        "/api/analytics/trends",
        None,
        200,
        {"top_categories", "top_conditions", "recent_activity"},
        "owner",
    ),
    ("GET", "/api/audit/logs?per_page=5&resource_type=listing", None, 200, {"logs", *PAGE}, "owner"),
    ("GET", "/api/audit/logs/actions", None, 200, {"actions"}, "owner"),
    ("GET", "/api/audit/logs/stats", None, 200, {"total_logs", "action_counts", "recent_activity"}, "owner"),
    ("POST", "/api/backup/restore", None, 400, {"error"}, "owner"),
    (
        "GET",
        "/api/backup/info",
        None,
        200,
        {"supported", "database_type", "database_name", "backup_format", "restore_format"},
        "owner",
    ),
    ("GET", "/api/users", None, 200, {"users", *PAGE}, "staff"),
    ("GET", "/api/users", None, 403, {"error"}, "owner"),
    (
        "POST",
        "/api/users",
        {"email": "made@example.com", "password": "SecurePass123!", "is_admin": False},
        201,
        {"message", "user"},
        "staff",
    ),
    ("GET", "/api/users/{user}", None, 200, USER_KEYS, "staff"),
    ("PUT", "/api/users/{user}", {"first_name": "Grace"}, 200, {"message", "user"}, "staff"),
    ("DELETE", "/api/users/{user}", None, 200, {"message"}, "staff"),
    ("POST", "/api/users/{user}/toggle-admin", None, 200, {"message", "user"}, "staff"),
    ("POST", "/api/users/{user}/toggle-active", None, 200, {"message", "user"}, "staff"),
    ("POST", "/api/users/{user}/unlock", None, 200, {"message", "user"}, "staff"),
    (
        "POST",
        "/api/users/{user}/reset-password",
        {"new_password": NEW_PASSWORD},
        200,
        {"message", "user"},
        "staff",
    ),
    (
        "GET",
        "/api/file-history?file_type=export",
        None,
        200,
        {"file_history", "total", "page", "per_page"},
        "owner",
    ),
    (
        "POST",
        "/api/file-history",
        {
            "file_name": "a.csv",
            "file_type": "import",
            "file_format": "csv",
            "operation": "upload",
            "status": "success",
        },
        501,
        {"error"},
        "owner",
    ),
    (
        "GET",
        "/api/file-history/{file}",
        None,
        200,
        {"id", "file_name", "file_type", "file_format", "operation", "status", "row_count", "created_at"},
        "owner",
    ),
    ("PUT", "/api/file-history/{file}", {"status": "failed"}, 501, {"error"}, "owner"),
    ("DELETE", "/api/file-history/{file}", None, 501, {"error"}, "owner"),
    ("POST", "/api/system/start-scraper", None, 501, {"success", "message"}, None),
    ("GET", "/api/system/health", None, 200, {"success", "status"}, None),
]


@pytest.fixture
def world(owner, other_user):
    listing = ListingFactory(owner=owner, title="Solar Panel 300W", category="Electronics")
    ListingFactory(owner=owner, title="solar panel 300w")
    scan = read_scan(owner)
    client = client_for(owner)
    client.call("POST", "/api/export/csv", {"listing_ids": [listing.pk]})
    from audit.models import AuditEntry

    export = AuditEntry.objects.filter(actor=owner, action="listing.export").latest("id")
    return {
        "listing": listing.pk,
        "other_listing": ListingFactory(owner=other_user).pk,
        "template": ListingTemplateFactory(owner=owner, defaults={"condition": "New"}).pk,
        "scan": scan.pk,
        "user": other_user.pk,
        "file": f"export-{export.pk}",
        "refresh": tokens_for(owner)["refresh_token"],
    }


def _fill(value, world):
    if isinstance(value, str):
        if value == "{refresh}":
            return {"refresh_token": world["refresh"]}
        for name, replacement in world.items():
            value = value.replace(f"{{{name}}}", str(replacement))
        return value
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "keys", "caller"),
    ENDPOINTS,
    ids=[f"{method} {path} {status}" for method, path, _, status, _, _ in ENDPOINTS],
)
def test_endpoint_answers_as_flask_did(
    world, password, owner, staff, method, path, body, status, keys, caller
):
    client = FlaskClient()
    if caller:
        client.login({"owner": owner.email, "staff": staff.email}[caller], password)
    response = client.call(method, _fill(path, world), _fill(body, world))
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert keys <= set(response.json()), f"missing {keys - set(response.json())}"


@pytest.mark.parametrize("name", ["text", "csv", "json", "xlsx", "sql"])
def test_exports_answer_a_file_or_404(flask, owner, name):
    response = flask.call("POST", f"/api/export/{name}", {})
    assert response.status_code == 404
    assert response.json() == {"error": "No listings found"}
    ListingFactory(owner=owner)
    response = flask.call("POST", f"/api/export/{name}", {})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)


def test_upload_answers_the_scan_it_queued(flask):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, format="PNG")
    response = flask.call(
        "POST",
        "/api/ocr/upload",
        {"file": SimpleUploadedFile("catalog.png", png.getvalue()), "ocr_engine": "tesseract"},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"message", "ocr_scan"}
    assert set(response.json()["ocr_scan"]) == SCAN_KEYS
    assert response.json()["ocr_scan"]["filename"] == "catalog.png"


@pytest.mark.parametrize(
    ("name", "engine"), [("paddleocr", "ppocr"), ("both", "both"), ("TESSERACT", "tesseract")]
)
def test_upload_reads_with_the_flask_engine_named(flask, name, engine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocr.models import Scan
    from ocr.tests.conftest import small_png

    response = flask.call(
        "POST",
        "/api/ocr/upload",
        {"file": SimpleUploadedFile("catalog.png", small_png()), "ocr_engine": name},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 201, response.content
    assert Scan.objects.get(pk=response.json()["ocr_scan"]["id"]).engine == engine


def test_upload_with_an_unknown_engine_is_refused(flask):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocr.models import Scan
    from ocr.tests.conftest import small_png

    response = flask.call(
        "POST",
        "/api/ocr/upload",
        {"file": SimpleUploadedFile("catalog.png", small_png()), "ocr_engine": "abbyy"},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 400
    assert "Choose Tesseract, PP-OCR or Both." in response.content.decode()
    assert not Scan.objects.exists()


def test_backup_is_a_zip_of_the_accounts_data(flask, owner, other_user):
    import io
    import json
    import zipfile

    mine = ListingFactory(owner=owner, extra={"SKU": "A-1"})
    ListingFactory(owner=other_user)
    response = flask.call("POST", "/api/backup/create")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    listings = json.loads(archive.read("listings.json"))
    assert [row["id"] for row in listings] == [mine.pk]
    assert listings[0]["extra"] == {"SKU": "A-1"}
    assert {"templates.json", "history.json", "manifest.json"} <= set(archive.namelist())
