from decimal import Decimal

import pytest
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from listings.fields import Source
from listings.models import Listing
from ocr.models import Scan
from ocr.tests.conftest import small_png, upload
from ocr.tests.factories import read_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def api_client_for_owner(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_upload_page_creates_a_scan_and_opens_its_review(seller, owner):
    assert seller.get("/ocr/").status_code == 200
    response = seller.post("/ocr/", {"file": upload("prices.png", small_png())})
    scan = Scan.objects.get(owner=owner)
    assert response.status_code == 302 and response.url == f"/ocr/{scan.pk}/"
    assert DBTaskResult.objects.count() == 1


def test_upload_page_offers_each_engine_and_reads_with_the_chosen_one(seller, owner):
    page = seller.get("/ocr/").content.decode()
    assert '<select name="engine" id="scan-engine">' in page
    for value, label in (
        ("tesseract", "Tesseract"),
        ("ppocr", "PP-OCR"),
        ("both", "Both (merged by confidence)"),
    ):
        assert f'<option value="{value}"' in page and f">{label}</option>" in page
    seller.post("/ocr/", {"file": upload("prices.png", small_png()), "engine": "both"})
    assert Scan.objects.get(owner=owner).engine == "both"
    assert "Both (merged by confidence)</td>" in seller.get("/ocr/").content.decode()


def test_upload_page_refuses_an_unknown_engine_as_the_api_does(seller, api_client_for_owner):
    page = seller.post("/ocr/", {"file": upload("prices.png", small_png()), "engine": "abbyy"})
    api = api_client_for_owner.post(
        "/api/ocr/scans/", {"file": upload("prices.png", small_png()), "engine": "abbyy"}, format="multipart"
    )
    assert page.status_code == api.status_code == 400
    [error] = api.json()["errors"]
    assert error["field"] == "engine"
    assert f"<li>{error['message']}</li>".replace('"', "&quot;") in page.content.decode()
    assert not Scan.objects.exists()


def test_upload_page_shows_why_a_file_is_refused(seller, settings):
    settings.OCR_MAX_BYTES = 10
    response = seller.post("/ocr/", {"file": upload("big.pdf", b"x" * 20)})
    assert response.status_code == 400
    assert "the most is 0 MB" in response.content.decode()
    assert not Scan.objects.exists()


def test_review_of_a_running_scan_polls_for_progress(seller, owner):
    scan = read_scan(owner)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.PROCESSING, page_count=4, pages_done=1)
    page = seller.get(f"/ocr/{scan.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "page 1 of 4 read" in page
    assert '<progress max="4" value="1"' in page

    progress = seller.get(f"/ocr/{scan.pk}/progress/")
    assert "HX-Refresh" not in progress
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.COMPLETED, pages_done=4)
    assert seller.get(f"/ocr/{scan.pk}/progress/")["HX-Refresh"] == "true"


def test_review_boxes_words_and_highlights_unsure_ones(seller, owner, django_assert_max_num_queries):
    scan = read_scan(owner)
    with django_assert_max_num_queries(12):
        page = seller.get(f"/ocr/{scan.pk}/").content.decode()
    assert '<svg viewBox="0 0 1000 1400"' in page
    assert '<rect class="word" x="100" y="100" width="200" height="40"><title>Widget (95%)</title>' in page
    assert '<rect class="word low" x="700"' in page
    assert page.count('data-candidate-id="') == 3


def test_review_links_rows_to_their_words_and_marks_unsure_cells(seller, owner):
    scan = read_scan(owner, prices=("4.50",))
    title = "Cordless Drill with Two Batteries and a Case"
    scan.candidates.update(
        title=title,
        sku="CD-1200",
        boxes=[[100, 100, 200, 40], [700, 100, 120, 40]],
        field_confidence={"title": 95.0, "price": 31.0, "sku": 88.0},
    )
    page = seller.get(f"/ocr/{scan.pk}/").content.decode()
    assert 'data-page="1" data-boxes="100,100,200,40 700,100,120,40"' in page
    assert '<script src="/static/js/ocr-review.js" type="module"></script>' in page
    # The whole title, the SKU, and the price cell marked for a look.
    assert f">{title}</td>" in page and ">CD-1200</td>" in page
    assert (
        '<td data-field="price" class="editable unsure" tabindex="0" title="Read with little confidence'
        in page
    )
    assert '<td data-field="title" class="editable" tabindex="0"' in page


def test_review_of_another_users_scan_is_404(seller, other_user):
    scan = read_scan(other_user)
    candidate = scan.candidates.first()
    assert seller.get(f"/ocr/{scan.pk}/").status_code == 404
    assert seller.post(f"/ocr/{scan.pk}/candidates/{candidate.pk}/price/", {"value": "1"}).status_code == 404
    assert seller.post(f"/ocr/{scan.pk}/delete/").status_code == 404


def test_cell_edit_opens_saves_and_reports_bad_values(seller, owner):
    scan = read_scan(owner)
    candidate = scan.candidates.first()
    url = f"/ocr/{scan.pk}/candidates/{candidate.pk}/price/"
    assert 'name="value" value="4.50"' in seller.get(url, {"edit": 1}).content.decode()

    bad = seller.post(url, {"value": "cheap"})
    assert bad.status_code == 422
    assert "“cheap” is not a price." in bad.content.decode()

    good = seller.post(url, {"value": "1.299,00 €"})
    assert good.status_code == 200 and ">1299.00</td>" in good.content.decode()
    candidate.refresh_from_db()
    assert candidate.price == Decimal("1299.00")
    assert Scan.objects.get(pk=scan.pk).status == Scan.Status.CORRECTED


def test_unticking_a_candidate_leaves_it_out_of_the_conversion(seller, owner):
    scan = read_scan(owner, prices=("4.50", "12.99", None))
    first, second, third = scan.candidates.all()
    seller.post(f"/ocr/{scan.pk}/candidates/{third.pk}/selected/", {})
    third.refresh_from_db()
    assert not third.selected

    response = seller.post(f"/ocr/{scan.pk}/convert/", {"template": ""}, follow=True)
    assert "Created 2 draft listings" in response.content.decode()
    assert set(Listing.objects.values_list("title", "source")) == {
        (first.title, Source.OCR),
        (second.title, Source.OCR),
    }


def test_convert_reports_the_bad_row(seller, owner):
    scan = read_scan(owner, prices=("4.50", None))
    response = seller.post(f"/ocr/{scan.pk}/convert/", {}, follow=True)
    assert "Not converted: row 2, price: This field is required." in response.content.decode()
    assert not Listing.objects.exists()


def test_rerun_page_and_delete(seller, owner):
    scan = read_scan(owner)
    response = seller.post(f"/ocr/{scan.pk}/pages/1/rerun/")
    assert response.status_code == 302
    scan.refresh_from_db()
    assert (scan.status, scan.pages.count(), scan.candidates.count()) == (Scan.Status.PENDING, 0, 0)
    assert DBTaskResult.objects.count() == 1
    # While it runs, a second re-run is refused rather than queued twice.
    seller.post(f"/ocr/{scan.pk}/pages/1/rerun/")
    assert DBTaskResult.objects.count() == 1

    assert seller.post(f"/ocr/{scan.pk}/delete/").url == "/ocr/"
    assert not Scan.objects.exists()
