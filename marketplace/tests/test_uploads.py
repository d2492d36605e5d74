"""No public route to uploaded files in any mode; the nginx hand-off (issue 12, finding 5)."""

import importlib
from pathlib import Path

import pytest
from django.urls import clear_url_caches

from ocr.tests.factories import read_scan


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def debug_urls(settings):
    """The URLs as ``make run`` (DEBUG=1) builds them."""
    import marketplace.urls

    settings.DEBUG = True
    importlib.reload(marketplace.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(marketplace.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_media_is_not_served_even_with_debug_on(client, owner, other_user, debug_urls):
    scan = read_scan(owner)
    for name in (scan.file.name, scan.pages.get().thumbnail.name):
        client.force_login(other_user)
        assert client.get(f"/media/{name}").status_code == 404
        client.force_login(owner)
        assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
def test_x_accel_redirect_hands_the_file_to_nginx_with_the_same_headers(client, owner, settings):
    settings.UPLOADS_X_ACCEL_REDIRECT = "/protected-uploads/"
    scan = read_scan(owner)
    client.force_login(owner)
    response = client.get(f"/ocr/{scan.pk}/file/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-uploads/{scan.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="catalog.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_uploads_are_kept_and_served_from_an_s3_store(client, owner, other_user, s3_server, settings):
    """With the default storage on an S3-protocol server, an import file and an OCR scan
    (and the page image the worker draws) are objects in the bucket, nothing is written
    under MEDIA_ROOT, and only their owner gets them back."""
    from imports.models import Import
    from imports.tests.import_files import upload, xlsx_bytes
    from ocr import worker
    from ocr.tests.conftest import small_png

    sheet = xlsx_bytes([["Title", "Price"], ["Lamp", 3]])
    png = small_png()
    client.force_login(owner)
    response = client.post("/api/imports/", {"file": upload("lamps.xlsx", sheet)})
    assert response.status_code == 201, response.content
    imported = Import.objects.get(pk=response.json()["id"])
    response = client.post("/api/ocr/scans/", {"file": upload("shelf.png", png)})
    assert response.status_code == 201, response.content
    scan_id = response.json()["id"]
    assert worker.scan_process(scan_id=scan_id) == "completed"

    keys = {item["Key"] for item in s3_server.client().list_objects_v2(Bucket=s3_server.bucket)["Contents"]}
    import_file = imported.files.get()
    assert {import_file.file.name, f"{imported.staged.name}"} <= keys
    assert any(key.startswith("scans/pages/") for key in keys)
    assert any(key.startswith("scans/") and key.endswith(".png") and "/pages/" not in key for key in keys)
    assert not Path(settings.MEDIA_ROOT).exists()

    urls = {
        f"/listings/import/{imported.pk}/files/{import_file.pk}/": sheet,
        f"/ocr/{scan_id}/file/": png,
        f"/ocr/{scan_id}/pages/1/image/": None,
    }
    for url, data in urls.items():
        served = b"".join(client.get(url).streaming_content)
        assert served == data if data else served.startswith(b"\x89PNG"), url
    client.force_login(other_user)
    for url in urls:
        assert client.get(url).status_code == 404, url
