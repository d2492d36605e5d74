"""SKUs in an import, in every mode: only "update matching" matches a row to a
listing by its SKU; elsewhere a row whose SKU a listing already holds (or an earlier
row gives) is a row error in the preview, naming the row, the column and the other
listing, and the commit writes every row it accepted or none."""

import pytest
from rest_framework.test import APIClient

from imports.models import Import
from imports.services import ImportRejected, import_commit, import_create, import_fix_row
from imports.tests.import_files import upload, xlsx_bytes
from listings.models import Listing
from listings.services.bulk import listings_bulk_set
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def _errors(created: Import) -> list[tuple]:
    return [(error["row"], error["column"], error["field"], error["message"]) for error in created.errors]


def _taken(sku: str, listing: Listing) -> str:
    return f"The SKU “{sku}” is already used by listing {listing.pk} (“{listing.title}”)."


def test_creating_a_row_with_a_held_sku_is_a_row_error_in_the_preview(owner, other_user):
    shelf = ListingFactory(owner=owner, title="Oak shelf", sku="SH-1")
    ListingFactory(owner=other_user, title="Not yours", sku="NY-1")
    data = xlsx_bytes(
        [["Title", "Price", "Custom label"], ["Pine shelf", 30, "sh-1"], ["Lamp", 9, "NY-1"], ["Rug", 5, ""]]
    )

    created = import_create(owner=owner, files=[upload("stock.xlsx", data)], mode=Import.Mode.CREATE)

    assert created.counts == {"rows": 3, "new": 2, "updated": 0, "unchanged": 0, "invalid": 1}
    assert _errors(created) == [(2, "Custom label", "sku", _taken("sh-1", shelf))]
    assert [(row["row"], row["status"]) for row in created.preview] == [
        (2, "invalid"),
        (3, "new"),
        (4, "new"),
    ]
    assert created.preview[0]["errors"][0]["message"] == _taken("sh-1", shelf)


def test_the_commit_writes_every_accepted_row_or_none(owner):
    shelf = ListingFactory(owner=owner, title="Oak shelf", sku="SH-1")
    data = xlsx_bytes([["Title", "Price", "SKU"], ["Pine shelf", 30, "SH-1"], ["Lamp", 9, "L-1"]])
    created = import_create(owner=owner, files=[upload("stock.xlsx", data)])

    with pytest.raises(ImportRejected) as rejected:
        import_commit(upload=created, actor=owner)
    assert [(error.row, error.column, error.message) for error in rejected.value.errors] == [
        (2, "SKU", _taken("SH-1", shelf))
    ]
    assert Listing.objects.filter(owner=owner).count() == 1

    created.refresh_from_db()
    import_commit(upload=created, actor=owner, skip_invalid=True)

    assert sorted(Listing.objects.filter(owner=owner).values_list("title", "sku")) == [
        ("Lamp", "L-1"),
        ("Oak shelf", "SH-1"),
    ]


def test_a_row_corrected_in_the_preview_is_checked_again(owner):
    shelf = ListingFactory(owner=owner, title="Oak shelf", sku="SH-1")
    data = xlsx_bytes([["Title", "Price", "SKU"], ["Pine shelf", 30, "SH-1"], ["Lamp", 9, "L-1"]])
    created = import_create(owner=owner, files=[upload("stock.xlsx", data)])
    import_file = created.files.get()

    repeated = import_fix_row(upload=created, import_file=import_file, row=2, values={"sku": "l-1"})
    assert _errors(repeated) == [
        (3, "SKU", "sku", "The SKU “L-1” is also given to row 2 of stock.xlsx; a SKU names one listing.")
    ]
    fixed = import_fix_row(upload=repeated, import_file=import_file, row=2, values={"sku": "PS-1"})
    assert fixed.errors == []

    import_commit(upload=fixed, actor=owner)
    assert sorted(Listing.objects.filter(owner=owner).values_list("sku", flat=True)) == [
        "L-1",
        "PS-1",
        "SH-1",
    ]
    shelf.refresh_from_db()
    assert shelf.title == "Oak shelf"


def test_updating_by_id_to_a_sku_another_listing_holds_names_it(owner):
    shelf = ListingFactory(owner=owner, title="Oak shelf", sku="SH-1")
    lamp = ListingFactory(owner=owner, title="Lamp", sku="L-1")
    data = xlsx_bytes(
        [
            ["Listing ID", "Title", "Price", "SKU"],
            [lamp.pk, "Brass lamp", 9, "sh-1"],  # the shelf's
            [shelf.pk, "Oak shelf, wide", 30, "sh-1"],  # its own, in another case
        ]
    )

    created = import_create(owner=owner, files=[upload("mine.xlsx", data)], mode=Import.Mode.UPDATE_MATCHING)

    assert _errors(created) == [(2, "SKU", "sku", _taken("sh-1", shelf))]
    assert [row["status"] for row in created.preview] == ["invalid", "updated"]
    import_commit(upload=created, actor=owner, skip_invalid=True)
    shelf.refresh_from_db()
    lamp.refresh_from_db()
    assert (shelf.title, shelf.sku, lamp.title, lamp.sku) == ("Oak shelf, wide", "sh-1", "Lamp", "L-1")


def test_a_sku_taken_after_the_preview_is_a_row_error_at_commit_and_nothing_is_written(owner):
    lamp = ListingFactory(owner=owner, title="Lamp", sku="")
    data = xlsx_bytes([["Title", "Price", "SKU"], ["Rug", 5, "R-1"], ["Pine shelf", 30, "SH-1"]])
    created = import_create(owner=owner, files=[upload("stock.xlsx", data)])
    assert created.errors == []
    # Another door gives an existing listing the SKU of row 3 before the commit.
    listings_bulk_set(listings=Listing.objects.filter(pk=lamp.pk), values={"sku": "sh-1"}, actor=owner)
    lamp.refresh_from_db()

    # Even skipping invalid rows: the preview accepted this row, so nothing is written.
    with pytest.raises(ImportRejected) as rejected:
        import_commit(upload=created, actor=owner, skip_invalid=True)

    assert [(error.row, error.column, error.field) for error in rejected.value.errors] == [(3, "SKU", "sku")]
    assert rejected.value.errors[0].message == _taken("SH-1", lamp)
    assert rejected.value.message.startswith("Your listings changed since the preview: 1 of 2 rows")
    assert Listing.objects.filter(owner=owner).count() == 1
    created.refresh_from_db()
    assert (created.status, created.message) == (Import.Status.FAILED, rejected.value.message)
    assert _errors(created) == [(3, "SKU", "sku", _taken("SH-1", lamp))]
    assert [row["status"] for row in created.preview] == ["new", "invalid"]

    # The preview shows it now: all or nothing as usual, and skipping writes the other row.
    with pytest.raises(ImportRejected, match="1 of 2 rows are invalid; nothing was imported"):
        import_commit(upload=created, actor=owner)
    created.refresh_from_db()
    import_commit(upload=created, actor=owner, skip_invalid=True)
    assert sorted(Listing.objects.filter(owner=owner).values_list("title", flat=True)) == ["Lamp", "Rug"]


def test_the_api_names_the_row_in_the_preview_and_refuses_the_commit_with_it(owner):
    client = APIClient()
    client.force_authenticate(owner)
    shelf = ListingFactory(owner=owner, title="Oak shelf", sku="SH-1")
    data = xlsx_bytes([["Title", "Price", "SKU"], ["Pine shelf", 30, "sh-1"], ["Lamp", 9, "L-1"]])

    created = client.post("/api/imports/", {"file": [upload("stock.xlsx", data)]}, format="multipart")
    committed = client.post(f"/api/imports/{created.json()['id']}/commit/", {}, format="json")

    assert created.status_code == 201
    row_error = {
        "file": "stock.xlsx",
        "row": 2,
        "column": "SKU",
        "field": "sku",
        "message": _taken("sh-1", shelf),
    }
    assert created.json()["errors"] == [row_error]
    assert committed.status_code == 400
    assert "1 of 2 rows are invalid; nothing was imported" in committed.json()["detail"]
    assert row_error in committed.json()["errors"]
    assert Listing.objects.filter(owner=owner).count() == 1
