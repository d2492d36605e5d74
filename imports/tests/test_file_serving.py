"""Import files (issue 12, finding 5): the uploaded file goes to its owner only, the
staged rows to no one."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from imports.models import Import
from imports.tests.import_files import upload, xlsx_bytes

pytestmark = pytest.mark.django_db

DATA = xlsx_bytes([["Title", "Price"], ["Lamp", 3]])


@pytest.fixture
def upload_of_owner(owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/imports/", {"file": upload("lamps.xlsx", DATA)}, format="multipart")
    assert response.status_code == 201
    return Import.objects.get(pk=response.json()["id"])


def file_url(upload: Import) -> str:
    return f"/listings/import/{upload.pk}/files/{upload.files.get().pk}/"


def test_the_owner_downloads_the_file_as_uploaded(client, owner, upload_of_owner, settings):
    settings.DEBUG = False
    client.force_login(owner)
    response = client.get(file_url(upload_of_owner))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DATA
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="lamps.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert f'href="{file_url(upload_of_owner)}"' in client.get("/listings/import/").content.decode()


def test_another_user_gets_404_and_anonymous_logs_in(client, other_user, upload_of_owner):
    url = file_url(upload_of_owner)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    token = AccessToken.for_user(other_user)
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_staged_rows_are_served_by_no_url(client, owner, upload_of_owner):
    staged = upload_of_owner.staged.name
    assert staged
    client.force_login(owner)
    assert client.get(f"/media/{staged}").status_code == 404
    # The file view serves import files by their id, and staged rows are not one.
    other_ids = f"/listings/import/{upload_of_owner.pk}/files/{upload_of_owner.files.get().pk + 1}/"
    assert client.get(other_ids).status_code == 404
