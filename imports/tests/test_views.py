"""The import pages: upload, preview, mapping correction, commit, progress, error report."""

import csv
import io

import pytest
from django.core.cache import cache

from imports.models import Import
from imports.selectors import progress_cache_key
from imports.tests.import_files import csv_bytes, upload, xlsx_bytes
from listings.models import Listing

pytestmark = pytest.mark.django_db

HEADER = ["Title", "Price", "Condition"]


@pytest.fixture
def client(client, owner):
    client.force_login(owner)
    return client


def make_import(client, data, name="stock.csv", **fields):
    response = client.post("/listings/import/", {"file": [upload(name, data)], "mode": "create", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Import.objects.latest("id")


def test_upload_page_has_the_drop_zone_for_several_files(client):
    page = client.get("/listings/import/").content.decode()
    assert "data-dropzone" in page
    assert 'type="file" name="file" multiple' in page
    assert "js/import_upload.js" in page


def test_upload_several_files_then_preview_highlights_invalid_rows(client):
    response = client.post(
        "/listings/import/",
        {
            "file": [
                upload("a.csv", csv_bytes([HEADER, ["Chair", "10", "New"], ["Stool", "cheap", "New"]])),
                upload("b.xlsx", xlsx_bytes([HEADER, ["Table", 99, "Used - Good"]])),
            ],
            "mode": "create",
        },
    )
    upload_ = Import.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/listings/import/{upload_.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert '<dd data-count="new">2</dd>' in page
    assert '<dd data-count="invalid">1</dd>' in page
    assert '<tr class="import-row-invalid" data-row="3"' in page
    assert "“cheap” is not a price." in page
    assert f"/listings/import/{upload_.pk}/errors.csv" in page
    assert Listing.objects.count() == 0


def test_a_refused_file_is_a_400_page_with_the_reason(client):
    response = client.post("/listings/import/", {"file": [upload("photo.xlsx", b"\x89PNG\r\n\x1a\n....")]})
    assert response.status_code == 400
    assert (
        "photo.xlsx is not a spreadsheet: its content is a PNG image, not xlsx." in response.content.decode()
    )
    assert Import.objects.count() == 0


def test_mapping_correction_from_the_preview(client):
    upload_ = make_import(client, csv_bytes([["Title", "Ask", "Remarks"], ["Sofa", "250", "Blue"]]))
    assert upload_.counts["invalid"] == 1
    import_file = upload_.files.get()
    prefix = f"file{import_file.pk}"
    response = client.post(
        f"/listings/import/{upload_.pk}/files/{import_file.pk}/mapping/",
        {
            f"{prefix}-sheet": import_file.sheet,
            f"{prefix}-column_0": "title",
            f"{prefix}-column_1": "price",
            f"{prefix}-column_2": "description",
        },
    )
    assert response.status_code == 302
    upload_.refresh_from_db()
    assert upload_.counts["invalid"] == 0
    assert upload_.preview[0]["values"]["price"] == "250.00"


def test_commit_from_the_page(client, owner):
    upload_ = make_import(client, csv_bytes([HEADER, ["Chair", "10", "New"]]))
    response = client.post(f"/listings/import/{upload_.pk}/commit/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Imported: 1 created" in page
    assert Listing.objects.get(owner=owner).source == "import"


def test_commit_with_invalid_rows_is_a_400_page_and_writes_nothing(client):
    upload_ = make_import(client, csv_bytes([HEADER, ["Chair", "10", "New"], ["", "4", "New"]]))
    response = client.post(f"/listings/import/{upload_.pk}/commit/")
    assert response.status_code == 400
    assert "1 of 2 rows are invalid; nothing was imported." in response.content.decode()
    assert Listing.objects.count() == 0
    response = client.post(f"/listings/import/{upload_.pk}/commit/", {"skip_invalid": "on"})
    assert response.status_code == 302
    assert Listing.objects.count() == 1


def test_error_report_csv(client):
    upload_ = make_import(client, csv_bytes([HEADER, ["Chair", "free", "New"], ["=cmd()", "4", "mint"]]))
    response = client.get(f"/listings/import/{upload_.pk}/errors.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["file", "row", "column", "field", "message"]
    assert rows[1] == ["stock.csv", "2", "Price", "price", "“free” is not a price."]
    assert rows[2][:4] == ["stock.csv", "3", "Condition", "condition"]


def test_large_commit_is_queued_and_the_page_polls_its_progress(client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    upload_ = make_import(client, csv_bytes([HEADER, *[[f"Chair {i}", "10", "New"] for i in range(5)]]))
    client.post(f"/listings/import/{upload_.pk}/commit/")
    upload_.refresh_from_db()
    assert upload_.status == Import.Status.QUEUED
    page = client.get(f"/listings/import/{upload_.pk}/").content.decode()
    assert f'hx-get="/listings/import/{upload_.pk}/?part=progress" hx-trigger="every 1s"' in page
    assert "You can leave this page" in page

    # What the worker reports half-way (to the cache: its transaction hides its rows).
    Import.objects.filter(pk=upload_.pk).update(status=Import.Status.COMMITTING)
    cache.set(progress_cache_key(upload_.pk), 2)
    part = client.get(f"/listings/import/{upload_.pk}/?part=progress", HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert html.lstrip().startswith('<section id="import-progress"')
    assert '<progress max="100" value="40">' in html
    assert "Importing: 2 of 5 rows" in html

    Import.objects.filter(pk=upload_.pk).update(status=Import.Status.COMMITTED, progress=5)
    done = client.get(f"/listings/import/{upload_.pk}/?part=progress", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_another_users_import_pages_are_404(client, other_user):
    from django.test import Client

    theirs = Client()
    theirs.force_login(other_user)
    theirs.post("/listings/import/", {"file": [upload("a.csv", csv_bytes([HEADER, ["Chair", "1", "New"]]))]})
    upload_ = Import.objects.get(owner=other_user)
    assert client.get(f"/listings/import/{upload_.pk}/").status_code == 404
    assert client.get(f"/listings/import/{upload_.pk}/errors.csv").status_code == 404
    assert client.post(f"/listings/import/{upload_.pk}/commit/").status_code == 404
    assert Listing.objects.count() == 0
