"""``/api/imports/``: upload, list, show, commit, and the background commit run by the worker."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from imports.models import Import
from imports.tests.import_files import csv_bytes, upload, xlsx_bytes
from listings.models import Listing
from listings.tests.factories import ListingFactory, ListingTemplateFactory

HEADER = ["Title", "Price", "Condition"]


def rows_of(n: int):
    return [[f"Chair {i}", 10 + i, "New"] for i in range(n)]


@pytest.fixture
def client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def post(client, *files, **fields):
    return client.post("/api/imports/", {"file": list(files), **fields}, format="multipart")


@pytest.mark.django_db
def test_upload_answers_counts_errors_preview_and_mapping(client):
    data = xlsx_bytes([["Item", "Cost", "Condition", "Colour"], *rows_of(60), ["Lamp", "free", "New", "red"]])
    response = post(client, upload("stock.xlsx", data))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "preview"
    assert body["counts"] == {"rows": 61, "new": 60, "updated": 0, "unchanged": 0, "invalid": 1}
    assert body["errors"] == [
        {
            "file": "stock.xlsx",
            "row": 62,
            "column": "Cost",
            "field": "price",
            "message": "“free” is not a price.",
        }
    ]
    # The first 50 rows, then the invalid rows after them, which can be fixed.
    assert len(body["preview"]) == 51
    assert (body["preview"][-1]["row"], body["preview"][-1]["status"]) == (62, "invalid")
    assert body["preview"][-1]["typed"] == {"title": "Lamp", "price": "free", "condition": "New"}
    assert body["preview"][0]["values"]["price"] == "10.00"
    assert body["files"][0]["mapping"] == [
        {"column": "Item", "field": "title"},
        {"column": "Cost", "field": "price"},
        {"column": "Condition", "field": "condition"},
        {"column": "Colour", "field": "extra"},
    ]
    assert Listing.objects.count() == 0


@pytest.mark.django_db
def test_list_show_and_commit(client, owner):
    created = post(client, upload("a.csv", csv_bytes([HEADER, *rows_of(3)]))).json()
    listed = client.get("/api/imports/").json()
    assert [item["id"] for item in listed["results"]] == [created["id"]]

    shown = client.get(f"/api/imports/{created['id']}/")
    assert shown.status_code == 200
    assert shown.json()["counts"]["new"] == 3

    committed = client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    assert committed.status_code == 200
    assert committed.json()["status"] == "committed"
    assert committed.json()["counts"]["created"] == 3
    assert Listing.objects.filter(owner=owner, source="import").count() == 3

    again = client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    assert again.status_code == 409
    assert Listing.objects.count() == 3


@pytest.mark.django_db
def test_commit_skipping_invalid_rows(client, owner):
    data = csv_bytes([HEADER, *rows_of(2), ["", "5", "New"]])
    created = post(client, upload("a.csv", data)).json()
    refused = client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "file": "a.csv",
        "row": 4,
        "column": "Title",
        "field": "title",
        "message": "the cell is empty; every listing needs a title.",
    }
    assert Listing.objects.count() == 0
    skipped = client.post(f"/api/imports/{created['id']}/commit/", {"skip_invalid": True}, format="json")
    assert skipped.status_code == 200
    assert skipped.json()["counts"]["skipped"] == 1
    assert Listing.objects.filter(owner=owner).count() == 2


@pytest.mark.django_db
def test_another_users_import_is_404(client, other_user):
    theirs = APIClient()
    theirs.force_authenticate(other_user)
    created = post(theirs, upload("a.csv", csv_bytes([HEADER, *rows_of(1)]))).json()
    assert client.get(f"/api/imports/{created['id']}/").status_code == 404
    assert client.post(f"/api/imports/{created['id']}/commit/", {}, format="json").status_code == 404
    assert client.get("/api/imports/").json()["results"] == []
    assert Listing.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_is_refused():
    assert APIClient().get("/api/imports/").status_code in (401, 403)


@pytest.mark.django_db
def test_update_matching_mode_and_template_over_the_api(client, owner, other_user):
    listing = ListingFactory(owner=owner, title="Desk", price=Decimal("50.00"))
    template = ListingTemplateFactory(owner=owner, defaults={"category": "Furniture//Desks"})
    data = csv_bytes([["id", "Title", "Price"], [listing.pk, "Desk", "55"], ["", "Chair", "12"]])
    created = post(client, upload("u.csv", data), mode="update_matching", template=template.pk).json()
    assert created["counts"] == {"rows": 2, "new": 1, "updated": 1, "unchanged": 0, "invalid": 0}
    client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    listing.refresh_from_db()
    assert listing.price == Decimal("55.00")
    # The template fills only the new listing; an update keeps the listing's own values.
    assert listing.category != "Furniture//Desks"
    assert Listing.objects.get(title="Chair").category == "Furniture//Desks"

    private = ListingTemplateFactory(owner=other_user)
    refused = post(client, upload("u.csv", data), template=private.pk)
    assert refused.status_code == 404


@pytest.mark.django_db
def test_several_files_in_one_request(client):
    response = post(
        client,
        upload("a.xlsx", xlsx_bytes([HEADER, *rows_of(2)])),
        upload("b.csv", csv_bytes([HEADER, *rows_of(3)])),
    )
    assert response.status_code == 201
    assert [f["file"] for f in response.json()["files"]] == ["a.xlsx", "b.csv"]
    assert response.json()["counts"]["new"] == 5


@pytest.mark.django_db(transaction=True)
def test_large_import_commits_in_the_background_worker_with_progress(client, owner, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1000
    data = csv_bytes([HEADER, *rows_of(2500)])
    created = post(client, upload("big.csv", data)).json()

    queued = client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"
    assert Listing.objects.count() == 0
    task = DBTaskResult.objects.get()
    assert task.task_path == "imports.services.commit_import"

    # The real worker, as `make run` starts it, until the queue is empty.
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.exception_class_path
    done = Import.objects.get(pk=created["id"])
    assert done.status == Import.Status.COMMITTED
    assert done.progress == 2500
    shown = client.get(f"/api/imports/{created['id']}/").json()
    assert (shown["progress"], shown["progress_percent"]) == (2500, 100)
    assert Listing.objects.filter(owner=owner, source="import").count() == 2500


@pytest.mark.django_db
def test_large_import_with_invalid_rows_is_refused_before_queueing(client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    created = post(client, upload("big.csv", csv_bytes([HEADER, *rows_of(4), ["", "1", "New"]]))).json()
    refused = client.post(f"/api/imports/{created['id']}/commit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("1 of 5 rows are invalid; nothing was imported.")
    assert refused.json()["errors"][0]["row"] == 6
    assert not DBTaskResult.objects.exists()
    assert Import.objects.get().status == Import.Status.PREVIEW
