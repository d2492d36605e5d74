"""The changeset engine: one write path, one undo step per user action, undo of one
operation, and query counts that do not grow with the number of rows."""

import ast
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEntry, Operation
from imports.models import Import
from imports.services import import_commit, import_create
from imports.tests.import_files import upload, xlsx_bytes
from listings.models import Listing, ListingWriteOutsideEngine, UndoStep
from listings.selectors import listing_history
from listings.services.bulk import listings_bulk_set, listings_duplicate, listings_price_adjust
from listings.services.changes import NewListing, changes_apply, listing_update
from listings.services.undo import (
    NotUndoable,
    listing_revert,
    operation_undo,
    redo_last,
    undo_last,
)
from listings.tests.factories import ListingFactory
from marketplace.errors import InvalidInput
from ocr.services import scan_convert
from ocr.tests.factories import read_scan

pytestmark = pytest.mark.django_db


# --- the guard: nothing outside the engine writes a listing ------------------------


def test_listing_writes_outside_the_engine_raise(owner):
    listing = ListingFactory(owner=owner)
    listing.title = "Written around the engine"
    writes = [
        listing.save,
        listing.delete,
        lambda: Listing.objects.filter(pk=listing.pk).update(title="Around"),
        lambda: Listing.objects.filter(pk=listing.pk).delete(),
        lambda: Listing.objects.bulk_create([Listing(owner=owner, title="New", price=1)]),
        lambda: Listing.objects.bulk_update([listing], ["title"]),
        lambda: Listing.objects.create(owner=owner, title="New", price=1),
    ]
    for write in writes:
        with pytest.raises(ListingWriteOutsideEngine):
            write()
    listing.refresh_from_db()
    assert listing.title != "Written around the engine"
    assert Listing.objects.count() == 1


def test_only_the_engine_lifts_the_guard():
    """``engine_writes`` (the guard's key) appears in the engine, tests and benches only."""
    root = Path(settings.BASE_DIR)
    users = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if (
            # bench/ measures a peer (django-import-export) that writes with its own bulk_create.
            relative.parts[0] in (".venv", "var", "bench")
            or "tests" in relative.parts
            or relative.name == "conftest.py"
        ):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        names |= {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
        }
        names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        if "engine_writes" in names:
            users.append(str(relative))
    assert sorted(users) == ["listings/models.py", "listings/services/changes.py"]


# --- an import is one step ------------------------------------------------------


def _lamp_and_desk(owner):
    return [
        ListingFactory(owner=owner, title="Lamp", price=Decimal("10.00")),
        ListingFactory(owner=owner, title="Desk", price=Decimal("20.00")),
    ]


def _import_3_new_2_updated(owner, listings=None):
    kept, changed = listings or _lamp_and_desk(owner)
    data = xlsx_bytes(
        [
            ["ID", "Title", "Price"],
            [kept.pk, "Brass lamp", 11],
            [changed.pk, "Oak desk", 25],
            ["", "Armchair", 30],
            ["", "Sofa", 90],
            ["", "Stool", 5],
        ]
    )
    created = import_create(owner=owner, files=[upload("u.xlsx", data)], mode=Import.Mode.UPDATE_MATCHING)
    return import_commit(upload=created, actor=owner), [kept, changed]


def _state(owner):
    return sorted(Listing.objects.filter(owner=owner).values_list("id", "title", "price"))


def test_an_import_that_creates_3_and_updates_2_is_one_undo_step(owner):
    listings = _lamp_and_desk(owner)
    before = _state(owner)
    committed, updated = _import_3_new_2_updated(owner, listings)
    after = _state(owner)
    assert committed.counts["created"] == 3 and committed.counts["updated"] == 2
    assert list(UndoStep.objects.filter(user=owner).values_list("batch", flat=True)) == [committed.batch]

    undo_last(user=owner)
    assert _state(owner) == before  # the 3 are gone, the 2 have their old values

    redo_last(user=owner)
    assert _state(owner) == after
    for listing in updated:
        history = listing_history(listing)
        assert history.filter(batch=committed.batch, action="listing.import").exists()


def test_revert_works_across_an_import(owner):
    committed, (lamp, _) = _import_3_new_2_updated(owner)
    import_entry = listing_history(lamp).get(batch=committed.batch)
    reverted = listing_revert(listing=lamp, entry=import_entry, actor=owner)
    assert (reverted.title, reverted.price) == ("Lamp", Decimal("10.00"))


# --- OCR convert ------------------------------------------------------------------


def test_ocr_convert_undo_redo_keeps_the_scan_links_and_makes_no_duplicates(owner):
    scan = read_scan(owner, prices=("4.50", "12.99"))
    listings = scan_convert(scan=scan, actor=owner)
    links = sorted(scan.candidates.values_list("pk", "listing_id"))
    assert [listing.ocr_scan_id for listing in listings] == [scan.pk, scan.pk]
    assert UndoStep.objects.filter(user=owner).count() == 1

    undo_last(user=owner)
    assert not Listing.objects.filter(owner=owner).exists()
    assert not scan.candidates.filter(listing__isnull=False).exists()

    redo_last(user=owner)
    assert sorted(scan.candidates.values_list("pk", "listing_id")) == links
    assert set(Listing.objects.filter(owner=owner).values_list("ocr_scan_id", flat=True)) == {scan.pk}

    with pytest.raises(InvalidInput, match="No ticked candidates left to convert"):
        scan_convert(scan=scan, actor=owner)
    assert Listing.objects.filter(owner=owner).count() == 2


def test_after_undoing_a_convert_the_candidates_convert_again_once(owner):
    scan = read_scan(owner, prices=("4.50", "12.99"))
    scan_convert(scan=scan, actor=owner)
    undo_last(user=owner)
    scan_convert(scan=scan, actor=owner)
    assert Listing.objects.filter(owner=owner).count() == 2
    assert scan.candidates.filter(listing__isnull=True).count() == 0


# --- duplicate and paste: one step, a fixed number of queries ---------------------------


@pytest.mark.parametrize("count", [10, 300])
def test_bulk_duplicate_is_one_step_in_a_bounded_number_of_queries(
    owner, client, count, django_assert_max_num_queries
):
    originals = [ListingFactory(owner=owner) for _ in range(count)]
    client.force_login(owner)
    with django_assert_max_num_queries(30):
        response = client.post(
            "/listings/bulk/duplicate/",
            {"ids": [listing.pk for listing in originals]},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200, response.content
    assert Listing.objects.filter(owner=owner).count() == 2 * count
    assert UndoStep.objects.filter(user=owner).count() == 1
    undo_last(user=owner)
    assert sorted(Listing.objects.filter(owner=owner).values_list("id", flat=True)) == sorted(
        listing.pk for listing in originals
    )


@pytest.mark.parametrize("lines", [10, 40, 300])
def test_paste_of_lines_by_2_cells_is_one_step_in_a_bounded_number_of_queries(
    owner, client, lines, django_assert_max_num_queries
):
    rows = [ListingFactory(owner=owner) for _ in range(lines // 2)]
    client.force_login(owner)
    text = "\n".join(f"Pasted {n}\t{n}.50" for n in range(lines))
    data = {
        "field": "title",
        "text": text,
        "ids": [r.pk for r in rows],
        "versions": [r.version for r in rows],
    }
    with django_assert_max_num_queries(30):
        response = client.post("/listings/paste/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    titles = set(Listing.objects.filter(owner=owner).values_list("title", flat=True))
    assert titles == {f"Pasted {n}" for n in range(lines)}
    assert UndoStep.objects.filter(user=owner).count() == 1
    undo_last(user=owner)
    assert Listing.objects.filter(owner=owner).count() == len(rows)


def test_paste_skips_a_line_changed_since_the_page_loaded(owner, client):
    first, second = ListingFactory(owner=owner, title="First"), ListingFactory(owner=owner, title="Second")
    client.force_login(owner)
    data = {"field": "title", "text": "A\nB", "ids": [first.pk, second.pk], "versions": [first.version, 99]}
    response = client.post("/listings/paste/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Changed by another edit" in response.content.decode()
    assert sorted(Listing.objects.values_list("title", flat=True)) == ["A", "Second"]


# --- undo of one operation ------------------------------------------------------------


def test_an_older_operation_undoes_while_no_later_change_touched_its_listings(owner):
    lamp = ListingFactory(owner=owner, title="Lamp", category="")
    desk = ListingFactory(owner=owner, title="Desk")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    older = UndoStep.objects.get(user=owner)
    listings_price_adjust(listings=Listing.objects.filter(pk=desk.pk), amount=Decimal(5), actor=owner)

    outcome = operation_undo(user=owner, batch=older.batch)
    assert outcome.action == "listing.bulk_set"
    lamp.refresh_from_db()
    desk.refresh_from_db()
    assert lamp.category == ""
    assert desk.price == Decimal("50.00")  # the later change stays


def test_an_operation_a_later_change_touched_is_refused_naming_the_listing_and_the_change(owner):
    lamp = ListingFactory(owner=owner, title="Lamp", price=Decimal("10.00"), category="")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    older = UndoStep.objects.get(user=owner)
    listings_price_adjust(listings=Listing.objects.filter(pk=lamp.pk), amount=Decimal(5), actor=owner)
    later = UndoStep.objects.filter(user=owner).latest("id")

    with pytest.raises(NotUndoable) as refused:
        operation_undo(user=owner, batch=older.batch)
    assert "“Lamp”" in refused.value.message and "listing.price_adjust" in refused.value.message
    assert refused.value.blocking == later
    lamp.refresh_from_db()
    assert (lamp.category, lamp.price) == ("Lighting", Decimal("15.00"))

    # Undoing the later change first makes the older one undoable.
    operation_undo(user=owner, batch=later.batch)
    operation_undo(user=owner, batch=older.batch)
    lamp.refresh_from_db()
    assert (lamp.category, lamp.price) == ("", Decimal("10.00"))


def test_someone_elses_operation_cannot_be_undone(owner, other_user):
    lamp = ListingFactory(owner=owner)
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    step = UndoStep.objects.get(user=owner)
    api = APIClient()
    api.force_authenticate(other_user)
    response = api.post(f"/api/operations/{step.batch}/undo/")
    assert response.status_code == 409
    lamp.refresh_from_db()
    assert lamp.category == "Lighting"


def test_api_undoes_one_operation_and_explains_a_refusal(owner):
    lamp = ListingFactory(owner=owner, title="Lamp")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    older = UndoStep.objects.get(user=owner)
    listings_bulk_set(listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lamps"}, actor=owner)
    api = APIClient()
    api.force_authenticate(owner)

    refused = api.post(f"/api/operations/{older.batch}/undo/")
    assert refused.status_code == 409
    assert "“Lamp”" in str(refused.json())

    newer = UndoStep.objects.filter(user=owner).latest("id")
    done = api.post(f"/api/operations/{newer.batch}/undo/")
    assert done.status_code == 200
    assert done.json()["action"] == "listing.bulk_set"
    assert api.post(f"/api/operations/{uuid.uuid4()}/undo/").status_code == 409


def test_import_page_offers_undo_and_says_why_not_once_a_later_change_touched_it(owner, client):
    committed, (lamp, _) = _import_3_new_2_updated(owner)
    client.force_login(owner)
    page = client.get(f"/listings/import/{committed.pk}/").content.decode()
    assert "Undo this import" in page

    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    page = client.get(f"/listings/import/{committed.pk}/").content.decode()
    assert "Undo this import" not in page
    assert "“Brass lamp”" in page

    response = client.post(
        f"/listings/operations/{committed.batch}/undo/",
        {"next": f"/listings/import/{committed.pk}/"},
        follow=True,
    )
    assert "Undo that change first" in response.content.decode()
    assert Listing.objects.filter(owner=owner).count() == 5


def test_import_page_says_undone_once_its_import_is_undone(owner, client):
    committed, _ = _import_3_new_2_updated(owner)
    client.force_login(owner)
    client.post(f"/listings/operations/{committed.batch}/undo/", {"next": "/"})
    page = " ".join(client.get(f"/listings/import/{committed.pk}/").content.decode().split())
    assert f"Import {committed.pk}: Undone" in page
    assert "the 3 listings it created are gone and the 2 listings it updated are back as they were." in page
    assert "Undo this import" not in page
    listed = client.get("/listings/import/").content.decode()
    assert "<td>Undone</td>" in listed


def test_history_page_undo_button_undoes_the_operation(owner, client):
    lamp = ListingFactory(owner=owner, title="Lamp", category="")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    step = UndoStep.objects.get(user=owner)
    client.force_login(owner)
    page = client.get("/history/").content.decode()
    assert f"/listings/operations/{step.batch}/undo/" in page
    response = client.post(f"/listings/operations/{step.batch}/undo/", {"next": "/history/"}, follow=True)
    assert "Undone: listings edited (1 listing)." in response.content.decode()
    lamp.refresh_from_db()
    assert lamp.category == ""


def test_undo_refuses_when_a_later_change_by_someone_else_touched_the_listings(owner, staff):
    lamp = ListingFactory(owner=owner, title="Lamp")
    listings_bulk_set(
        listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lighting"}, actor=owner
    )
    listings_bulk_set(listings=Listing.objects.filter(pk=lamp.pk), values={"category": "Lamps"}, actor=staff)
    with pytest.raises(NotUndoable, match="cannot be undone from here") as refused:
        undo_last(user=owner)
    assert refused.value.blocking is None


# --- the engine itself ---------------------------------------------------------------


def test_one_change_creates_updates_and_deletes_with_one_entry_per_listing(owner):
    lamp, desk = ListingFactory(owner=owner, title="Lamp"), ListingFactory(owner=owner, title="Desk")
    result = changes_apply(
        actor=owner,
        action="test.change",
        create=[NewListing(owner_id=owner.pk, values={**lamp.field_values(), "title": "Chair"})],
        update=[lamp.pk],
        compute=lambda row: {"title": "Brass lamp"},
        delete=[desk.pk],
    )
    assert (len(result.created), result.updated, result.deleted) == (1, 1, 1)
    lamp.refresh_from_db()
    assert (lamp.title, lamp.version) == ("Brass lamp", 2)
    entries = AuditEntry.objects.filter(batch=result.batch)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in (lamp.pk, desk.pk, result.created[0])
    )
    undo_last(user=owner)
    assert sorted(Listing.objects.values_list("title", flat=True)) == ["Desk", "Lamp"]


def test_duplicate_service_copies_extra_and_source(owner):
    original = ListingFactory(owner=owner, extra={"sku": "A1"}, source="import")
    [copy] = listings_duplicate(listings=Listing.objects.filter(pk=original.pk), actor=owner)
    copied = Listing.objects.get(pk=copy)
    assert (copied.extra, copied.source, copied.title) == ({"sku": "A1"}, "import", original.title)


def test_an_admin_list_editable_save_of_several_rows_is_one_undo_step(staff_client, staff, owner):
    chair, table = ListingFactory(owner=owner, price=Decimal("5.00")), ListingFactory(owner=owner)
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "_save": "Save"}
    for index, (listing, price) in enumerate([(table, "7.00"), (chair, "6.00")]):
        data |= {
            f"form-{index}-id": str(listing.pk),
            f"form-{index}-price": price,
            f"form-{index}-condition": listing.condition,
        }
    response = staff_client.post("/admin/listings/listing/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(Listing.objects.values_list("price", flat=True)) == [Decimal("6.00"), Decimal("7.00")]
    assert UndoStep.objects.filter(user=staff).count() == 1
    undo_last(user=staff)
    chair.refresh_from_db()
    assert chair.price == Decimal("5.00")


@pytest.mark.postgres
def test_a_bulk_set_in_one_statement_audits_and_undoes_as_the_row_by_row_path(owner, other_user):
    """On PostgreSQL a bulk set is one statement; its entries hold only the fields
    that changed on each listing."""
    used = ListingFactory(owner=owner, condition="Used - Good", offer_shipping=True)
    unshipped = ListingFactory(owner=owner, condition="New", offer_shipping=False)
    already = ListingFactory(owner=owner, condition="New", offer_shipping=True)
    elsewhere = ListingFactory(owner=other_user, condition="Used - Fair", offer_shipping=False)
    with CaptureQueriesContext(connection) as queries:
        count = listings_bulk_set(
            listings=Listing.objects.filter(owner=owner),
            values={"condition": "New", "offer_shipping": "yes"},
            actor=owner,
        )
    assert count == 2
    [statement] = [query["sql"] for query in queries if "listings_listing" in query["sql"]]
    assert statement.startswith("WITH") and "audit_auditentry" in statement
    entries = {entry.object_id: entry for entry in AuditEntry.objects.filter(action="listing.bulk_set")}
    assert {pk: entry.changes for pk, entry in entries.items()} == {
        str(used.pk): {"condition": ["Used - Good", "New"]},
        str(unshipped.pk): {"offer_shipping": [False, True]},
    }
    assert {(entry.actor_id, entry.batch) for entry in entries.values()} == {
        (owner.pk, UndoStep.objects.get(user=owner).batch)
    }
    versions = dict(Listing.objects.values_list("id", "version"))
    assert versions == {used.pk: 2, unshipped.pk: 2, already.pk: 1, elsewhere.pk: 1}
    assert listing_history(used).first().action == "listing.bulk_set"
    assert Operation.objects.get(batch=UndoStep.objects.get(user=owner).batch).entry_count == 2

    with CaptureQueriesContext(connection) as queries:
        undo_last(user=owner)
    assert set(Listing.objects.values_list("condition", "offer_shipping")) == {
        ("Used - Good", True),
        ("New", False),
        ("New", True),
        ("Used - Fair", False),
    }
    # One statement restoring every listing from its entry, audited as the row path audits it.
    writes = [query["sql"] for query in queries if query["sql"].startswith("WITH target")]
    assert len(writes) == 1
    undone = AuditEntry.objects.filter(action="listing.undo")
    assert {entry.object_id: entry.changes for entry in undone} == {
        str(used.pk): {"condition": ["New", "Used - Good"]},
        str(unshipped.pk): {"offer_shipping": [True, False]},
    }
    assert len({entry.batch for entry in undone}) == 1
    assert dict(Listing.objects.values_list("id", "version"))[used.pk] == 3

    redo_last(user=owner)
    assert Listing.objects.filter(owner=owner, condition="New", offer_shipping=True).count() == 3


# --- status transitions: sold_at follows the status ---------------------------------


def test_sold_at_is_set_when_a_listing_becomes_sold_and_cleared_when_it_leaves(owner):
    listing = ListingFactory(owner=owner, status="listed")

    sold = listing_update(listing=listing, data={"status": "sold", "sold_price": "40"}, actor=owner)
    relisted_price = listing_update(listing=sold, data={"price": "50"}, actor=owner)
    archived = listing_update(listing=sold, data={"status": "archived"}, actor=owner)

    assert sold.sold_at is not None and sold.sold_price == Decimal("40.00")
    assert relisted_price.sold_at == sold.sold_at  # other edits keep the date of the sale
    assert archived.sold_at is None
    entry = listing_history(archived).first()
    assert entry.changes["sold_at"] == [sold.sold_at.isoformat(), None]


def test_undo_and_revert_restore_the_date_of_the_sale_not_a_new_one(owner):
    listing = ListingFactory(owner=owner, status="listed")
    sold = listing_update(listing=listing, data={"status": "sold"}, actor=owner)
    sale_entry = listing_history(sold).first()
    listing_update(listing=sold, data={"status": "listed"}, actor=owner)

    undo_last(user=owner)
    after_undo = Listing.objects.get(pk=listing.pk)
    redo_last(user=owner)
    listing_update(listing=after_undo, data={"title": "Later edit"}, actor=owner)
    reverted = listing_revert(listing=after_undo, entry=listing_history(after_undo).first(), actor=owner)

    assert (after_undo.status, after_undo.sold_at) == ("sold", sold.sold_at)
    assert (reverted.status, reverted.sold_at, reverted.title) == ("listed", None, listing.title)
    assert listing_revert(listing=reverted, entry=sale_entry, actor=owner).sold_at is None


def test_new_listings_sold_from_the_start_get_a_sale_date_and_a_deleted_one_keeps_it(owner):
    result = changes_apply(
        actor=owner,
        action="test.create",
        create=[
            NewListing(owner_id=owner.pk, values={"title": "Sold", "price": Decimal(1), "status": "sold"}),
            NewListing(owner_id=owner.pk, values={"title": "Ready", "price": Decimal(1)}),
        ],
    )
    sold, ready = (Listing.objects.get(pk=pk) for pk in result.created)
    changes_apply(actor=owner, action="test.delete", delete=[sold.pk])
    undo_last(user=owner)

    assert (ready.status, ready.quantity, ready.sold_at) == ("ready", 1, None)
    assert Listing.objects.get(pk=sold.pk).sold_at == sold.sold_at is not None


def test_a_duplicate_is_a_new_item_without_the_sku_or_the_sale(owner):
    listing = ListingFactory(owner=owner, sku="S-1", status="sold", sold_price=Decimal(9), quantity=3)

    [copy] = listings_duplicate(listings=Listing.objects.filter(pk=listing.pk), actor=owner)

    copy = Listing.objects.get(pk=copy)
    assert (copy.sku, copy.status, copy.sold_price, copy.sold_at, copy.quantity) == (
        "",
        "ready",
        None,
        None,
        3,
    )
