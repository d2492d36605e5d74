from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from audit.models import AuditEntry
from listings.fields import Source
from listings.models import Listing
from listings.tests.factories import ListingTemplateFactory
from ocr.models import Scan
from ocr.tests.conftest import small_png, upload
from ocr.tests.factories import read_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_upload_creates_a_pending_scan_and_queues_it(api, owner):
    response = api.post("/api/ocr/scans/", {"file": upload("prices.png", small_png())}, format="multipart")
    assert response.status_code == 201
    scan = Scan.objects.get(pk=response.json()["id"])
    assert (scan.owner, scan.status, scan.original_name, scan.file_size) == (
        owner,
        Scan.Status.PENDING,
        "prices.png",
        len(small_png()),
    )
    assert default_storage.exists(scan.file.name)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [scan.pk]
    assert AuditEntry.objects.filter(action="ocr.scan.create", object_id=str(scan.pk)).exists()


@pytest.mark.parametrize("engine", ["tesseract", "ppocr", "both"])
def test_upload_reads_with_the_engine_chosen(api, engine):
    response = api.post(
        "/api/ocr/scans/", {"file": upload("prices.png", small_png()), "engine": engine}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["engine"] == engine
    assert Scan.objects.get().engine == engine


def test_upload_without_an_engine_is_read_by_tesseract(api):
    response = api.post("/api/ocr/scans/", {"file": upload("prices.png", small_png())}, format="multipart")
    assert response.json()["engine"] == "tesseract"


def test_upload_over_the_size_limit_is_refused(api, settings):
    settings.OCR_MAX_BYTES = 1_000_000
    response = api.post("/api/ocr/scans/", {"file": upload("big.pdf", b"x" * 1_500_000)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "file", "message": "The file is 1.5 MB; the most is 1 MB."}
    ]
    assert not Scan.objects.exists()


def test_upload_without_a_file_or_with_an_empty_one_is_refused(api):
    assert api.post("/api/ocr/scans/", {}, format="multipart").json()["errors"][0]["field"] == "file"
    response = api.post("/api/ocr/scans/", {"file": upload("empty.pdf", b"")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_list_shows_only_my_scans(api, owner, other_user):
    mine = read_scan(owner)
    read_scan(other_user)
    assert [scan["id"] for scan in api.get("/api/ocr/scans/").json()] == [mine.pk]


def test_detail_has_pages_and_candidates(api, owner, django_assert_max_num_queries):
    scan = read_scan(owner)
    with django_assert_max_num_queries(8):
        body = api.get(f"/api/ocr/scans/{scan.pk}/").json()
    assert body["status"] == "completed"
    assert [page["number"] for page in body["pages"]] == [1]
    assert body["pages"][0]["words"][1] == {
        "text": "$4.5O",
        "conf": 31.0,
        "left": 700,
        "top": 100,
        "width": 120,
        "height": 40,
        "line": [1, 1, 1],
    }
    assert [c["price"] for c in body["candidates"]] == ["4.50", "12.99", None]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("delete", "", None),
        ("post", "correct/", {"candidates": [{"id": 1, "price": "5"}]}),
        ("post", "convert/", {}),
    ],
)
def test_another_users_scan_is_404(api, other_user, method, suffix, body):
    scan = read_scan(other_user)
    response = getattr(api, method)(f"/api/ocr/scans/{scan.pk}/{suffix}", body, format="json")
    assert response.status_code == 404
    assert Scan.objects.filter(pk=scan.pk).exists()
    assert not Listing.objects.exists()


def test_correct_saves_edits_and_marks_the_scan_corrected(api, owner):
    scan = read_scan(owner)
    first, second, _ = scan.candidates.all()
    response = api.post(
        f"/api/ocr/scans/{scan.pk}/correct/",
        {
            "candidates": [
                {"id": first.pk, "price": "$5.25", "title": "Blue widget"},
                {"id": second.pk, "selected": False},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    scan.refresh_from_db()
    assert (first.title, first.price, first.edited) == ("Blue widget", Decimal("5.25"), True)
    assert (second.selected, second.edited) == (False, False)
    assert scan.status == Scan.Status.CORRECTED
    entry = AuditEntry.objects.get(action="ocr.candidate.update", object_id=str(first.pk))
    assert entry.changes["price"] == ["4.50", "5.25"]


def test_correct_edits_a_sku_by_the_listing_rules(api, owner):
    scan = read_scan(owner)
    first, second, _ = scan.candidates.all()
    url = f"/api/ocr/scans/{scan.pk}/correct/"

    refused = api.post(url, {"candidates": [{"id": second.pk, "sku": "AB\n12"}]}, format="json")
    saved = api.post(url, {"candidates": [{"id": first.pk, "sku": "CD-1200"}]}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"index": 0, "field": "sku", "message": "A SKU is one line of printable characters."}
    ]
    assert saved.status_code == 200, saved.json()
    first.refresh_from_db()
    assert (first.sku, first.edited) == ("CD-1200", True)


def test_correct_is_all_or_nothing_and_names_the_bad_row(api, owner):
    scan = read_scan(owner)
    first, second, _ = scan.candidates.all()
    response = api.post(
        f"/api/ocr/scans/{scan.pk}/correct/",
        {
            "candidates": [
                {"id": first.pk, "price": "7.00"},
                {"id": second.pk, "price": "cheap"},
                {"id": 999999},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "price", "message": "“cheap” is not a price."},
        {"index": 2, "field": "id", "message": "No such candidate in this scan."},
    ]
    first.refresh_from_db()
    assert first.price == Decimal("4.50")
    assert Scan.objects.get(pk=scan.pk).status == Scan.Status.COMPLETED


def test_convert_all_needs_every_candidate_valid(api, owner):
    scan = read_scan(owner)
    third = scan.candidates.all()[2]
    response = api.post(f"/api/ocr/scans/{scan.pk}/convert/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 2, "candidate": third.pk, "field": "price", "message": "This field is required."}
    ]
    assert not Listing.objects.exists()


def test_convert_named_candidates_through_a_template(api, owner):
    scan = read_scan(owner)
    first, second, _ = scan.candidates.all()
    template = ListingTemplateFactory(
        owner=owner,
        defaults={
            "condition": "Used - Good",
            "category": "Home & Garden//Tools",
            "description": "From our shop",
        },
    )
    first.description = ""
    first.save()
    response = api.post(
        f"/api/ocr/scans/{scan.pk}/convert/",
        {"candidates": [first.pk, second.pk], "template": template.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    template.refresh_from_db()
    assert template.use_count == 1
    listings = Listing.objects.filter(pk__in=response.json()["listings"]).order_by("price")
    assert [(item.title, item.price) for item in listings] == [
        (first.title, Decimal("4.50")),
        (second.title, Decimal("12.99")),
    ]
    assert all(
        item.source == Source.OCR and item.ocr_scan_id == scan.pk and item.owner == owner for item in listings
    )
    assert {item.condition for item in listings} == {"Used - Good"}
    # The template fills what the candidate left empty; what was read wins otherwise.
    assert [item.description for item in listings] == ["From our shop", "Red, metal"]
    first.refresh_from_db()
    assert first.listing == listings[0]
    assert AuditEntry.objects.filter(action="listing.create_from_ocr").count() == 2
    assert AuditEntry.objects.filter(action="ocr.scan.convert", object_id=str(scan.pk)).exists()

    again = api.post(f"/api/ocr/scans/{scan.pk}/convert/", {"candidates": [first.pk]}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {"field": "candidates", "message": f"Candidate {first.pk} is already a listing."}
    ]


def test_convert_with_someone_elses_private_template_is_404(api, owner, other_user):
    scan = read_scan(owner, prices=("4.50",))
    template = ListingTemplateFactory(owner=other_user)
    response = api.post(f"/api/ocr/scans/{scan.pk}/convert/", {"template": template.pk}, format="json")
    assert response.status_code == 404
    assert not Listing.objects.exists()


def test_delete_removes_the_scan_and_its_file_but_keeps_listings(
    api, owner, django_capture_on_commit_callbacks
):
    scan = read_scan(owner, prices=("4.50",))
    api.post(f"/api/ocr/scans/{scan.pk}/convert/", {}, format="json")
    name = scan.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/ocr/scans/{scan.pk}/")
    assert response.status_code == 204
    assert not Scan.objects.filter(pk=scan.pk).exists()
    assert not default_storage.exists(name)
    listing = Listing.objects.get()
    assert (listing.source, listing.ocr_scan) == (Source.OCR, None)
    assert AuditEntry.objects.filter(action="ocr.scan.delete", object_id=str(scan.pk)).exists()
