from decimal import Decimal

import pytest

from audit.models import AuditEntry
from listing_templates.services import template_apply
from listings.models import Listing, UndoStep
from listings.services.bulk import (
    listing_duplicate,
    listings_bulk_delete,
    listings_bulk_set,
    listings_bulk_upsert,
    listings_price_adjust,
)
from listings.services.changes import (
    UNDO_DEPTH,
    listing_create,
    listing_delete,
    listing_update,
    listings_create_many,
)
from listings.services.find_replace import listings_find_replace
from listings.services.undo import NothingToUndo, NotUndoable, listing_revert, redo_last, undo_last
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _values(listing_id):
    return Listing.objects.values("title", "price", "condition", "description", "category").get(pk=listing_id)


# --- bulk upsert -------------------------------------------------------------


def test_bulk_upsert_creates_and_updates_in_item_order(owner):
    existing = ListingFactory(owner=owner, title="Old title", price=Decimal("10.00"))
    result = listings_bulk_upsert(
        owner=owner,
        actor=owner,
        items=[
            {"title": "New lamp", "price": "$12.50", "offer_shipping": "Yes"},
            {"id": existing.pk, "title": "Renamed", "version": existing.version},
        ],
    )
    assert result.created == 1
    assert result.updated == 1
    assert result.ids[1] == existing.pk
    created = Listing.objects.get(pk=result.ids[0])
    assert (created.title, created.price, created.offer_shipping) == ("New lamp", Decimal("12.50"), True)
    existing.refresh_from_db()
    assert (existing.title, existing.price, existing.version) == ("Renamed", Decimal("10.00"), 2)
    batches = set(AuditEntry.objects.filter(object_type="listings.listing").values_list("batch", flat=True))
    assert len(batches) == 1  # one operation, one batch, one undo step


def test_bulk_upsert_is_all_or_nothing_and_reports_every_error(owner, other_user):
    mine = ListingFactory(owner=owner, title="Keep me")
    theirs = ListingFactory(owner=other_user)
    items = [
        {"title": "Fine", "price": "5"},
        {"title": "", "price": "-3"},
        {"id": theirs.pk, "title": "Steal"},
        {"id": mine.pk, "title": "Stale", "version": mine.version + 1},
        {"id": "abc", "title": "x"},
    ]
    with pytest.raises(InvalidInput) as caught:
        listings_bulk_upsert(owner=owner, actor=owner, items=items)
    errors = {(e.index, e.field) for e in caught.value.errors}
    assert errors == {(1, "title"), (1, "price"), (2, "id"), (3, "version"), (4, "id")}
    assert Listing.objects.filter(owner=owner).count() == 1
    mine.refresh_from_db()
    assert mine.title == "Keep me"
    theirs.refresh_from_db()
    assert theirs.title != "Steal"


def test_bulk_upsert_rejects_the_same_id_twice(owner):
    listing = ListingFactory(owner=owner)
    with pytest.raises(InvalidInput) as caught:
        listings_bulk_upsert(
            owner=owner,
            actor=owner,
            items=[{"id": listing.pk, "title": "a"}, {"id": listing.pk, "title": "b"}],
        )
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "id")]


@pytest.mark.postgres  # SQLite's bound-parameter limit splits inserts into many small batches.
def test_bulk_upsert_uses_a_handful_of_queries(owner, django_assert_max_num_queries):
    existing = ListingFactory.create_batch(300, owner=owner)
    items = [{"id": listing.pk, "price": "99"} for listing in existing]
    items += [{"title": f"Chair {n}", "price": n} for n in range(1200)]
    # A fixed number, whatever the size: reads, the per-user lock, COPY, one UPDATE, audit.
    with django_assert_max_num_queries(20):
        result = listings_bulk_upsert(owner=owner, actor=owner, items=items)
    assert (result.created, result.updated) == (1200, 300)
    assert Listing.objects.filter(pk__in=result.ids[:300], price=Decimal("99.00")).count() == 300
    assert AuditEntry.objects.filter(action="listing.create").count() == 1200


# --- find and replace --------------------------------------------------------


def test_find_replace_preview_writes_nothing(owner):
    ListingFactory(owner=owner, title="Oak chair", description="An oak chair")
    ListingFactory(owner=owner, title="Pine table", description="")
    result = listings_find_replace(
        listings=Listing.objects.filter(owner=owner),
        fields=["title", "description"],
        find="oak",
        replace="Walnut",
        actor=owner,
        preview=True,
    )
    assert result["count"] == 1
    assert {(c["field"], c["before"], c["after"]) for c in result["changes"]} == {
        ("title", "Oak chair", "Walnut chair"),
        ("description", "An oak chair", "An Walnut chair"),
    }
    assert not Listing.objects.filter(title__contains="Walnut").exists()
    assert not AuditEntry.objects.filter(action="listing.find_replace").exists()


def test_find_replace_applies_with_case_and_whole_word(owner):
    a = ListingFactory(owner=owner, title="Oak chair, oaken legs")
    b = ListingFactory(owner=owner, title="oak stool")
    result = listings_find_replace(
        listings=Listing.objects.filter(owner=owner),
        fields=["title"],
        find="Oak",
        replace="Elm",
        match_case=True,
        whole_word=True,
        actor=owner,
    )
    assert result == {"count": 1}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.title, b.title) == ("Elm chair, oaken legs", "oak stool")
    entry = AuditEntry.objects.get(action="listing.find_replace")
    assert entry.changes == {"title": ["Oak chair, oaken legs", "Elm chair, oaken legs"]}


def test_find_replace_regex_groups(owner):
    listing = ListingFactory(owner=owner, title="Size 42 boots")
    listings_find_replace(
        listings=Listing.objects.filter(owner=owner),
        fields=["title"],
        find=r"Size (\d+)",
        replace=r"EU \1",
        regex=True,
        actor=owner,
    )
    listing.refresh_from_db()
    assert listing.title == "EU 42 boots"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"find": "(", "regex": True}, "find"),
        ({"find": ""}, "find"),
        ({"find": "x", "fields": ["price"]}, "fields"),
        ({"find": ".+", "regex": True, "replace": " "}, "title"),
    ],
)
def test_find_replace_rejects_bad_input(owner, kwargs, field):
    ListingFactory(owner=owner)
    arguments = {"fields": ["title"], "replace": "y", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        listings_find_replace(listings=Listing.objects.filter(owner=owner), actor=owner, **arguments)
    assert caught.value.errors[0].field == field


# --- duplicate and revert ----------------------------------------------------


def test_duplicate_copies_fields_and_is_audited(owner):
    original = ListingFactory(owner=owner, extra={"SKU": "A1"})
    copy = listing_duplicate(listing=original, actor=owner)
    assert copy.pk != original.pk
    assert copy.field_values() == original.field_values()
    assert copy.extra == {"SKU": "A1"}
    assert AuditEntry.objects.filter(action="listing.duplicate", object_id=str(copy.pk)).exists()


def test_revert_restores_the_listing_as_before_that_change(owner):
    listing = listing_create(owner=owner, data={"title": "Lamp", "price": "10"})
    listing = listing_update(listing=listing, data={"title": "Big lamp", "price": "12"}, actor=owner)
    first_change = AuditEntry.objects.filter(action="listing.update").latest("id")
    listing = listing_update(listing=listing, data={"price": "15", "condition": "Used - Fair"}, actor=owner)
    reverted = listing_revert(listing=listing, entry=first_change, actor=owner)
    assert (reverted.title, reverted.price, reverted.condition) == ("Lamp", Decimal("10.00"), "New")
    revert_entry = AuditEntry.objects.get(action="listing.revert")
    assert revert_entry.changes["price"] == ["15.00", "10.00"]


def test_revert_refuses_a_creation_or_another_listings_entry(owner):
    listing = listing_create(owner=owner, data={"title": "Lamp", "price": "10"})
    other = listing_create(owner=owner, data={"title": "Desk", "price": "10"})
    creation = AuditEntry.objects.get(action="listing.create", object_id=str(listing.pk))
    with pytest.raises(InvalidInput):
        listing_revert(listing=listing, entry=creation, actor=owner)
    with pytest.raises(InvalidInput):
        listing_revert(listing=other, entry=creation, actor=owner)


# --- undo and redo -----------------------------------------------------------


def test_undo_and_redo_one_edit(owner):
    listing = ListingFactory(owner=owner, title="Lamp")
    listing_update(listing=listing, data={"title": "Desk lamp"}, actor=owner)
    outcome = undo_last(user=owner)
    assert (outcome.action, outcome.listings) == ("listing.update", 1)
    assert _values(listing.pk)["title"] == "Lamp"
    redo_last(user=owner)
    assert _values(listing.pk)["title"] == "Desk lamp"
    assert AuditEntry.objects.filter(action__in=["listing.undo", "listing.redo"]).count() == 2


def test_a_bulk_change_is_one_undo_step(owner):
    listings = ListingFactory.create_batch(5, owner=owner, price=Decimal("10.00"))
    listings_price_adjust(listings=Listing.objects.filter(owner=owner), percent=Decimal(50), actor=owner)
    assert Listing.objects.filter(price=Decimal("15.00")).count() == 5
    assert undo_last(user=owner).listings == 5
    assert Listing.objects.filter(price=Decimal("10.00")).count() == 5
    with pytest.raises(NothingToUndo):
        undo_last(user=owner)
    redo_last(user=owner)
    assert Listing.objects.filter(price=Decimal("15.00")).count() == len(listings)


def test_undo_delete_brings_the_listing_back_with_its_id(owner):
    listing = ListingFactory(owner=owner, title="Lamp", extra={"SKU": "L1"}, source="import")
    listing_delete(listing=listing, actor=owner)
    undo_last(user=owner)
    back = Listing.objects.get(pk=listing.pk)
    assert (back.title, back.owner, back.extra, back.source) == ("Lamp", owner, {"SKU": "L1"}, "import")
    redo_last(user=owner)
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_undo_create_and_bulk_upsert(owner):
    kept = ListingFactory(owner=owner, title="Kept")
    listings_bulk_upsert(
        owner=owner, actor=owner, items=[{"title": "New", "price": 1}, {"id": kept.pk, "title": "Changed"}]
    )
    undo_last(user=owner)
    assert list(Listing.objects.filter(owner=owner).values_list("title", flat=True)) == ["Kept"]
    redo_last(user=owner)
    assert sorted(Listing.objects.filter(owner=owner).values_list("title", flat=True)) == ["Changed", "New"]


def _change(owner, name):
    """Run the named write service once on the owner's listings."""
    listings = Listing.objects.filter(owner=owner)
    if name == "create":
        listing_create(owner=owner, data={"title": "Fresh", "price": 3})
    elif name == "create_many":
        listings_create_many(owner=owner, rows=[{"title": "Fresh", "price": Decimal(3)}])
    elif name == "update":
        listing_update(listing=listings.first(), data={"title": "Fresh"}, actor=owner)
    elif name == "delete":
        listing_delete(listing=listings.first(), actor=owner)
    elif name == "bulk_set":
        listings_bulk_set(listings=listings, values={"condition": "Used - Fair"}, actor=owner)
    elif name == "price_adjust":
        listings_price_adjust(listings=listings, amount=Decimal(5), actor=owner)
    elif name == "bulk_delete":
        listings_bulk_delete(listings=listings, actor=owner)
    elif name == "template_apply":
        template = ListingTemplateFactory(owner=owner, defaults={"description": "From template"})
        template_apply(template=template, listings=listings, actor=owner, mode="overwrite")
    elif name == "find_replace":
        listings_find_replace(listings=listings, fields=["title"], find="Oak", replace="Elm", actor=owner)
    elif name == "duplicate":
        listing_duplicate(listing=listings.first(), actor=owner)
    elif name == "upsert":
        listings_bulk_upsert(owner=owner, actor=owner, items=[{"title": "Fresh", "price": 3}])


WRITERS = [
    "create",
    "create_many",
    "update",
    "delete",
    "bulk_set",
    "price_adjust",
    "bulk_delete",
    "template_apply",
    "find_replace",
    "duplicate",
    "upsert",
]


@pytest.mark.parametrize("writer", WRITERS)
def test_every_listing_write_can_be_undone_and_redone(owner, writer):
    ListingFactory.create_batch(3, owner=owner)

    def snapshot():
        return sorted(Listing.objects.filter(owner=owner).values_list("id", *_SNAPSHOT_COLUMNS))

    before = snapshot()
    _change(owner, writer)
    after = snapshot()
    assert after != before
    undo_last(user=owner)
    assert snapshot() == before
    redo_last(user=owner)
    assert snapshot() == after


_SNAPSHOT_COLUMNS = ("title", "price", "condition", "description", "category", "offer_shipping", "warnings")


def test_a_new_change_clears_the_redo_stack(owner):
    listing = ListingFactory(owner=owner, title="One")
    listing_update(listing=listing, data={"title": "Two"}, actor=owner)
    undo_last(user=owner)
    listing_update(listing=listing, data={"title": "Three"}, actor=owner)
    with pytest.raises(NothingToUndo):
        redo_last(user=owner)


def test_redo_is_refused_when_someone_changed_the_listing_since(owner, staff):
    listing = ListingFactory(owner=owner, title="One")
    listing_update(listing=listing, data={"title": "Two"}, actor=owner)
    undo_last(user=owner)
    listing_update(listing=Listing.objects.get(pk=listing.pk), data={"price": "7.00"}, actor=staff)
    with pytest.raises(NotUndoable, match="touched “One”"):
        redo_last(user=owner)
    assert _values(listing.pk)["title"] == "One"
    assert _values(listing.pk)["price"] == Decimal("7.00")


def test_undo_goes_at_least_fifty_deep_and_is_per_user(owner, other_user):
    listing = ListingFactory(owner=owner, title="v0")
    theirs = ListingFactory(owner=other_user, title="theirs")
    for n in range(1, 61):
        listing = listing_update(listing=listing, data={"title": f"v{n}"}, actor=owner)
    listing_update(listing=theirs, data={"title": "theirs changed"}, actor=other_user)
    for _ in range(60):
        undo_last(user=owner)
    assert _values(listing.pk)["title"] == "v0"
    assert _values(theirs.pk)["title"] == "theirs changed"
    assert UndoStep.objects.filter(user=owner).count() == 60 <= UNDO_DEPTH


def test_old_steps_beyond_the_depth_are_forgotten(owner):
    listing = ListingFactory(owner=owner, title="v0")
    for n in range(UNDO_DEPTH + 5):
        listing = listing_update(listing=listing, data={"title": f"v{n + 1}"}, actor=owner)
    assert UndoStep.objects.filter(user=owner).count() == UNDO_DEPTH
    for _ in range(UNDO_DEPTH):
        undo_last(user=owner)
    assert _values(listing.pk)["title"] == "v5"
    with pytest.raises(NothingToUndo):
        undo_last(user=owner)


def test_edits_sharing_a_batch_undo_together(owner):
    from audit.services import new_batch

    batch = new_batch()
    a, b = ListingFactory.create_batch(2, owner=owner, title="Before")
    listing_update(listing=a, data={"title": "A1"}, actor=owner, batch=batch)
    listing_update(listing=a, data={"title": "A2"}, actor=owner, batch=batch)
    listing_update(listing=b, data={"title": "B1"}, actor=owner, batch=batch)
    assert undo_last(user=owner).listings == 2
    assert {_values(a.pk)["title"], _values(b.pk)["title"]} == {"Before"}
    redo_last(user=owner)
    assert (_values(a.pk)["title"], _values(b.pk)["title"]) == ("A2", "B1")


def test_undo_redo_depth_counts_each_stack(owner):
    from listings.selectors import undo_redo_depth

    listing = ListingFactory(owner=owner)
    assert undo_redo_depth(owner) == {"undo": 0, "redo": 0}
    listing_update(listing=listing, data={"title": "A"}, actor=owner)
    listing_update(listing=listing, data={"title": "B"}, actor=owner)
    undo_last(user=owner)
    assert undo_redo_depth(owner) == {"undo": 1, "redo": 1}


def test_has_warnings_is_derived_by_the_database(owner):
    from listings.selectors import listings_filtered

    category = "Furniture//Dining Room Furniture//Dining Chairs"
    clean = listing_create(owner=owner, data={"title": "Chair", "price": "5", "category": category})
    flagged = listing_create(owner=owner, data={"title": "CHAIR", "price": "5", "category": category})
    assert flagged.warnings == ["The title is in capitals."]
    assert set(listings_filtered(owner, {"has_warnings": "yes"}).values_list("pk", flat=True)) == {flagged.pk}
    assert set(listings_filtered(owner, {"has_warnings": "no"}).values_list("pk", flat=True)) == {clean.pk}
    listing_update(listing=flagged, data={"title": "Chair"}, actor=owner)
    assert not listings_filtered(owner, {"has_warnings": "yes"}).exists()
