"""Scan files and page images (issue 12, finding 5): only their owner gets them, in
every mode and whatever the storage; only PDFs and raster images are taken."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from ocr import worker
from ocr.models import Scan
from ocr.tests import corpus
from ocr.tests.conftest import small_png, upload
from ocr.tests.factories import read_scan

pytestmark = pytest.mark.django_db


def file_urls(scan: Scan) -> dict[str, str]:
    return {"scan file": f"/ocr/{scan.pk}/file/", "page image": f"/ocr/{scan.pk}/pages/1/image/"}


def test_the_owner_gets_the_scan_as_an_attachment_and_the_page_inline(client, owner, settings):
    settings.DEBUG = False
    scan = read_scan(owner)
    client.force_login(owner)
    original = client.get(f"/ocr/{scan.pk}/file/")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == b"%PDF-1.4 stand-in"
    assert original["Content-Type"] == "application/pdf"
    assert original["Content-Disposition"] == 'attachment; filename="catalog.pdf"'
    page = client.get(f"/ocr/{scan.pk}/pages/1/image/")
    assert page.status_code == 200
    assert b"".join(page.streaming_content).startswith(b"\x89PNG")
    assert (page["Content-Type"], page["Content-Disposition"]) == (
        "image/png",
        f'inline; filename="scan-{scan.pk}-page-1.png"',
    )
    for response in (original, page):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("kind", ["scan file", "page image"])
def test_another_user_gets_404_for_each_file(client, owner, other_user, kind):
    url = file_urls(read_scan(owner))[kind]
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    token = AccessToken.for_user(other_user)
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404


@pytest.mark.parametrize("kind", ["scan file", "page image"])
def test_anonymous_is_sent_to_log_in_and_a_bad_token_gets_401(client, owner, kind):
    url = file_urls(read_scan(owner))[kind]
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.json()["detail"]


def test_the_api_gives_page_image_urls_that_serve_its_token(owner, other_user):
    scan = read_scan(owner)
    api = APIClient()
    api.force_authenticate(owner)
    [page] = api.get(f"/api/ocr/scans/{scan.pk}/").json()["pages"]
    assert page["thumbnail"] == f"http://testserver/ocr/{scan.pk}/pages/1/image/"
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(owner)}")
    assert bearer.get(page["thumbnail"]).status_code == 200
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(other_user)}")
    assert bearer.get(page["thumbnail"]).status_code == 404


def test_the_review_page_shows_the_page_through_the_checked_view(client, owner):
    scan = read_scan(owner)
    client.force_login(owner)
    html = client.get(f"/ocr/{scan.pk}/").content.decode()
    assert f'<image href="/ocr/{scan.pk}/pages/1/image/"' in html
    assert "/media/" not in html


HOSTILE_UPLOADS = {
    "catalog.html": b"<!doctype html><script>fetch('/api/listings/').then(r => r.text())</script>",
    "catalog.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    "catalog.pdf.html": b"<html><body>not a pdf</body></html>",
    "notes.txt": b"just some text, not a picture",
}


@pytest.mark.parametrize("name", HOSTILE_UPLOADS)
def test_uploads_that_are_not_a_pdf_or_a_raster_image_are_refused(client, owner, name, media_root):
    client.force_login(owner)
    response = client.post("/api/ocr/scans/", {"file": upload(name, HOSTILE_UPLOADS[name])})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert error["message"].startswith("This is neither a PDF nor an image Tesseract can read")
    assert not Scan.objects.exists()
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def test_a_gif_is_refused_at_upload_by_its_content(client, owner):
    client.force_login(owner)
    gif = corpus.image_bytes([Image.new("RGB", (50, 50), "white")], "GIF")
    response = client.post("/ocr/", {"file": upload("catalog.png", gif)})
    assert response.status_code == 400
    assert "GIF images are not supported" in response.content.decode()


def test_an_image_named_html_is_stored_and_served_as_the_image_it_is(client, owner):
    client.force_login(owner)
    response = client.post("/api/ocr/scans/", {"file": upload("catalog.html", small_png())})
    assert response.status_code == 201
    scan = Scan.objects.get()
    assert scan.original_name == "catalog.html" and scan.file.name.endswith(".png")
    served = client.get(f"/ocr/{scan.pk}/file/")
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == 'attachment; filename="catalog.html"'
    assert served["X-Content-Type-Options"] == "nosniff"


def test_scans_go_through_the_configured_storage(client, owner, settings, media_root, items):
    """Another storage backend is only a setting: upload, OCR and serving all use it
    (here Django's in-memory storage; nothing lands in MEDIA_ROOT)."""
    in_memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": in_memory}
    client.force_login(owner)
    png = corpus.png_bytes(corpus.table_page(items[:2]))
    scan_id = client.post("/api/ocr/scans/", {"file": upload("two.png", png)}).json()["id"]
    assert worker.scan_process(scan_id=scan_id) == "completed"
    scan = Scan.objects.get(pk=scan_id)
    assert default_storage.exists(scan.file.name) and default_storage.exists(scan.pages.get().thumbnail.name)
    assert b"".join(client.get(f"/ocr/{scan_id}/pages/1/image/").streaming_content).startswith(b"\x89PNG")
    assert not Path(media_root).exists() or not any(p.is_file() for p in Path(media_root).rglob("*"))
