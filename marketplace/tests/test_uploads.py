"""No public route to uploaded files in any mode; the nginx hand-off (issue 12, finding 5)."""

import importlib

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
