"""The set-based paths of the changeset engine on PostgreSQL: a price adjust, a bulk
set of fields that warnings, search text or the date of a sale read, and the undo and
redo of each, are one statement each (a number of queries that does not grow with the
rows), with the warnings, audit entries, versions and undo step of the row path."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import field_changes
from listings.models import Listing, UndoStep
from listings.selectors import search_q
from listings.services.bulk import (
    adjusted_price,
    adjusted_price_sql,
    listings_bulk_delete,
    listings_bulk_set,
    listings_duplicate,
    listings_price_adjust,
)
from listings.services.changes import SNAPSHOT_FIELDS, listing_update
from listings.services.undo import NotUndoable, redo_last, undo_last
from listings.tests.factories import ListingFactory
from listings.validation import PRICE_MAX, listing_warnings
from marketplace.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _listing(owner, **fields):
    listing = ListingFactory.build(owner=owner, **fields)
    return ListingFactory(owner=owner, warnings=listing_warnings(listing.field_values()), **fields)


def _warnings_are_the_rules(listings):
    for listing in Listing.objects.filter(pk__in=[item.pk for item in listings]):
        assert listing.warnings == listing_warnings(listing.field_values()), listing.title


def _queries(call) -> tuple[int, object]:
    """How many queries ``call`` ran, and its result; checking that the listings were
    written by one set-based statement, not row by row."""
    with CaptureQueriesContext(connection) as queries:
        result = call()
    writes = [query["sql"] for query in queries if 'UPDATE "listings_listing"' in query["sql"]]
    assert len(writes) == 1 and writes[0].startswith("WITH target"), writes
    return len(queries), result


def _mine(owner):
    return Listing.objects.filter(owner=owner)


@pytest.mark.parametrize(
    ("price", "change"),
    [
        (Decimal("45.00"), {"percent": Decimal("10")}),
        (Decimal("19.99"), {"percent": Decimal("-33.33")}),
        (Decimal("0.05"), {"percent": Decimal("-10")}),  # 0.045 rounds half up to 0.05
        (Decimal("0.15"), {"percent": Decimal("-50")}),  # 0.075 -> 0.08
        (Decimal("1.00"), {"percent": Decimal("-99.99")}),
        (Decimal("99999999.99"), {"percent": Decimal("1000")}),  # capped
        (Decimal("12.34"), {"amount": Decimal("-20")}),  # floored at 0
        (Decimal("12.34"), {"amount": Decimal("0.01")}),
        (Decimal("0.00"), {"percent": Decimal("5")}),
        (Decimal("99999999.00"), {"amount": PRICE_MAX}),
    ],
)
def test_the_sql_price_adjust_gives_what_the_python_one_gives(price, change):
    sql, params = adjusted_price_sql(**change)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST({sql.replace('{price}', '%s::numeric(10,2)')} AS numeric(10,2))", [price, *params]
        )
        assert cursor.fetchone()[0] == adjusted_price(price, **change)


def test_a_price_adjust_is_one_statement_with_warnings_entries_undo_and_redo(owner, other_user):
    table = _listing(owner, title="Table", price=Decimal("45.00"))
    lamp = _listing(owner, title="LAMP SHADE", price=Decimal("10.00"), category="")
    free = _listing(owner, title="Vape pen", price=Decimal("5.00"), status="listed", quantity=0)
    elsewhere = _listing(other_user, title="Stool", price=Decimal("8.00"))

    count = listings_price_adjust(listings=_mine(owner), amount=Decimal("-10"), actor=owner)

    assert count == 3
    prices = dict(Listing.objects.values_list("title", "price"))
    assert prices == {
        "Table": Decimal("35.00"),
        "LAMP SHADE": Decimal("0.00"),
        "Vape pen": Decimal("0.00"),
        "Stool": Decimal("8.00"),
    }
    _warnings_are_the_rules([table, lamp, free, elsewhere])
    assert "The price is 0." in Listing.objects.get(pk=lamp.pk).warnings
    step = UndoStep.objects.get(user=owner)
    entries = AuditEntry.objects.filter(batch=step.batch)
    assert {entry.object_id: entry.changes for entry in entries} == {
        str(table.pk): {"price": ["45.00", "35.00"]},
        str(lamp.pk): {"price": ["10.00", "0.00"]},
        str(free.pk): {"price": ["5.00", "0.00"]},
    }
    assert {entry.action for entry in entries} == {"listing.price_adjust"}
    assert dict(Listing.objects.values_list("id", "version")) == {
        table.pk: 2,
        lamp.pk: 2,
        free.pk: 2,
        elsewhere.pk: 1,
    }

    outcome = undo_last(user=owner)
    assert outcome.listings == 3
    assert dict(Listing.objects.values_list("title", "price"))["LAMP SHADE"] == Decimal("10.00")
    _warnings_are_the_rules([table, lamp, free, elsewhere])
    undone = AuditEntry.objects.filter(action="listing.undo")
    assert {entry.object_id: entry.changes for entry in undone} == {
        str(table.pk): {"price": ["35.00", "45.00"]},
        str(lamp.pk): {"price": ["0.00", "10.00"]},
        str(free.pk): {"price": ["0.00", "5.00"]},
    }
    assert len({entry.batch for entry in undone}) == 1
    assert Listing.objects.get(pk=table.pk).version == 3

    redo_last(user=owner)
    assert Listing.objects.get(pk=free.pk).price == Decimal("0.00")
    _warnings_are_the_rules([table, lamp, free, elsewhere])
    assert AuditEntry.objects.filter(action="listing.redo").count() == 3


def test_redo_of_a_set_based_change_is_refused_once_someone_changed_a_listing_since(owner, staff):
    lamp = _listing(owner, title="Lamp", price=Decimal("10.00"))
    listings_price_adjust(listings=_mine(owner), percent=Decimal("10"), actor=owner)
    undo_last(user=owner)
    listing_update(listing=lamp, data={"price": "12"}, actor=staff)

    with pytest.raises(NotUndoable):
        redo_last(user=owner)
    assert Listing.objects.get(pk=lamp.pk).price == Decimal("12.00")


@pytest.mark.parametrize(
    "change",
    [
        lambda owner: listings_price_adjust(listings=_mine(owner), percent=Decimal("-25"), actor=owner),
        lambda owner: listings_bulk_set(listings=_mine(owner), values={"category": "Lighting"}, actor=owner),
        lambda owner: listings_bulk_set(listings=_mine(owner), values={"status": "sold"}, actor=owner),
        lambda owner: listings_bulk_set(listings=_mine(owner), values={"title": "GUN CASE"}, actor=owner),
    ],
    ids=["price adjust", "category", "status", "title"],
)
def test_set_based_changes_and_their_undo_run_as_many_queries_for_3_as_for_40_rows(owner, other_user, change):
    counts = []
    for user, rows in ((owner, 3), (other_user, 40)):
        for index in range(rows):
            _listing(
                user,
                title=f"Lamp {index}",
                price=Decimal(index + 1),
                category="",
                status="listed",
                quantity=index % 2,
            )
        change_queries, updated = _queries(partial(change, user))
        assert updated == rows
        undo_queries, outcome = _queries(partial(undo_last, user=user))
        assert outcome.listings == rows
        redo_queries, _ = _queries(partial(redo_last, user=user))
        counts.append((change_queries, undo_queries, redo_queries))
        _warnings_are_the_rules(list(_mine(user)))
    assert counts[0] == counts[1]


def test_a_bulk_set_of_a_searched_and_warned_field_recomputes_both(owner):
    lamp = _listing(owner, title="Lamp", category="")
    desk = _listing(owner, title="Desk", category="Furniture//Office Furniture//Desks")
    listings_bulk_set(listings=_mine(owner), values={"category": "Lamps of all sorts"}, actor=owner)

    _warnings_are_the_rules([lamp, desk])
    assert Listing.objects.get(pk=lamp.pk).warnings == [
        "“Lamps of all sorts” is not a Facebook Marketplace category."
    ]
    assert set(_mine(owner).filter(search_q("sorts")).values_list("pk", flat=True)) == {lamp.pk, desk.pk}

    undo_last(user=owner)
    _warnings_are_the_rules([lamp, desk])
    assert Listing.objects.get(pk=desk.pk).category == "Furniture//Office Furniture//Desks"
    assert not _mine(owner).filter(search_q("sorts")).exists()


def test_a_bulk_set_of_the_status_dates_the_sale_and_its_undo_restores_the_date(owner):
    sold_at = timezone.now() - timedelta(days=3)
    sold = _listing(owner, title="Sold chair", status="sold", sold_at=sold_at)
    ready = _listing(owner, title="Ready chair", status="ready")

    listings_bulk_set(listings=_mine(owner), values={"status": "sold"}, actor=owner)
    became_sold = Listing.objects.get(pk=ready.pk)
    assert became_sold.sold_at is not None
    assert Listing.objects.get(pk=sold.pk).sold_at == sold_at  # already sold: unchanged
    [entry] = AuditEntry.objects.filter(action="listing.bulk_set")
    assert entry.changes == {"status": ["ready", "sold"], "sold_at": [None, became_sold.sold_at.isoformat()]}

    listings_bulk_set(listings=_mine(owner), values={"status": "listed"}, actor=owner)
    assert set(_mine(owner).values_list("sold_at", flat=True)) == {None}
    undo_last(user=owner)
    assert Listing.objects.get(pk=ready.pk).sold_at == became_sold.sold_at
    undo_last(user=owner)
    assert Listing.objects.get(pk=ready.pk).sold_at is None
    assert Listing.objects.get(pk=ready.pk).status == "ready"


def test_a_bulk_delete_is_one_statement_with_the_entries_of_the_row_path(owner, other_user):
    sold = _listing(
        owner,
        title="Sold lamp",
        status="sold",
        sold_at=datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC),
        sold_price=Decimal("12.50"),
        notes="Kept",
        extra={"colour": None, "sizes": [1, 2]},
    )
    plain = _listing(owner, title="Plain", sold_at=datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC))
    elsewhere = _listing(other_user, title="Theirs")
    snapshot = ("id", *SNAPSHOT_FIELDS)
    before = {row["id"]: row for row in Listing.objects.filter(owner=owner).values(*snapshot)}

    queries, deleted = _counted(lambda: listings_bulk_delete(listings=_mine(owner), actor=owner))

    assert deleted == 2
    assert list(Listing.objects.values_list("pk", flat=True)) == [elsewhere.pk]
    entries = AuditEntry.objects.filter(batch=UndoStep.objects.get(user=owner).batch)
    expected = {
        str(pk): field_changes({name: row[name] for name in SNAPSHOT_FIELDS}, dict.fromkeys(SNAPSHOT_FIELDS))
        for pk, row in before.items()
    }
    assert {entry.object_id: entry.changes for entry in entries} == json.loads(json.dumps(expected))
    assert {entry.action for entry in entries} == {"listing.delete"}
    assert [q for q in queries if q.startswith("WITH gone")]

    queries, _ = _counted(partial(undo_last, user=owner))
    after = {row["id"]: row for row in Listing.objects.filter(owner=owner).values(*snapshot)}
    assert after == before
    _warnings_are_the_rules([sold, plain])
    assert [q for q in queries if q.startswith("WITH source") and "INSERT INTO" in q]
    assert not [q for q in queries if q.startswith("COPY")]
    reborn = AuditEntry.objects.filter(action="listing.undo")
    assert {entry.object_id: entry.changes for entry in reborn} == {
        pk: {name: [after_, before_] for name, (before_, after_) in changes.items()}
        for pk, changes in json.loads(json.dumps(expected)).items()
    }
    queries, _ = _counted(partial(redo_last, user=owner))
    assert not _mine(owner).exists()
    assert [q for q in queries if q.startswith("WITH gone")]


def test_undo_of_a_delete_whose_sku_another_listing_took_since_is_refused_naming_it(owner):
    lamp = _listing(owner, title="Lamp", sku="LAMP-1")
    listings_bulk_delete(listings=_mine(owner), actor=owner)
    ListingFactory(owner=owner, title="New lamp", sku="lamp-1")

    with pytest.raises(InvalidInput) as refused:
        undo_last(user=owner)
    assert "LAMP-1" in str(refused.value.errors[0].message)
    assert not Listing.objects.filter(pk=lamp.pk).exists()


def test_undo_and_redo_of_a_duplicate_delete_and_bring_back_the_copies_set_based(owner):
    lamp = _listing(owner, title="Lamp")
    [copy] = listings_duplicate(listings=_mine(owner), actor=owner)
    copied = Listing.objects.filter(pk=copy).values(*SNAPSHOT_FIELDS).get()

    queries, outcome = _counted(partial(undo_last, user=owner))
    assert outcome.listings == 1
    assert list(_mine(owner).values_list("pk", flat=True)) == [lamp.pk]
    assert [q for q in queries if q.startswith("WITH gone")]
    queries, _ = _counted(partial(redo_last, user=owner))
    assert Listing.objects.filter(pk=copy).values(*SNAPSHOT_FIELDS).get() == copied
    assert [q for q in queries if q.startswith("WITH source")]


def test_a_bulk_delete_runs_as_many_queries_for_3_as_for_40_rows(owner, other_user):
    counts = []
    for user, rows in ((owner, 3), (other_user, 40)):
        for index in range(rows):
            _listing(user, title=f"Lamp {index}")
        queries, deleted = _counted(partial(listings_bulk_delete, listings=_mine(user), actor=user))
        assert deleted == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _counted(call):
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return [query["sql"] for query in queries], result
