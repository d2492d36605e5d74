"""The SQL twin of every warning rule gives what the Python rule gives, on a table of
cases read from the listings table itself (its columns' types and collations), so
the set-based writes on PostgreSQL and the row-by-row path cannot drift apart."""

import fnmatch
import json
from decimal import Decimal

import pytest
from django.db import connection

from listings.fields import Status
from listings.models import Listing
from listings.tests.factories import ListingFactory
from listings.validation import WARNING_FIELDS, WARNING_RULES, listing_warnings, warnings_sql

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"
# Each case changes a good listing's fields to hit (or just miss) a rule.
CASES = [
    {},
    {"category": CHAIRS.upper()},
    {"category": "arts & crafts//needlecrafts & yarn//MACRAMÉ SUPPLIES"},
    {"category": "Lamps of all sorts"},
    {"category": "Macrame Supplies"},
    {"category": ""},
    {"category": "  "},
    {"category": "100% cotton_rag"},
    {"price": Decimal("0")},
    {"price": Decimal("0.01")},
    {"price": Decimal("99999999.99")},
    {"title": "LAMP"},
    {"title": "LAM"},
    {"title": "LAMP SHADE 2"},
    {"title": "ÉTÉ CHAIR"},
    {"title": "Été chair"},
    {"title": "ABCD中"},
    {"title": "12 34 56"},
    {"title": "A-B-C-D"},
    {"title": "Guns and ammo"},
    {"title": "Gunshot glass"},
    {"title": "Gift cards, 2"},
    {"title": "GIFT CARD"},
    {"title": "vapes"},
    {"title": "Shotgun shells"},
    {"title": "gun_rack"},
    {"title": "Kitten mittens", "description": "Not for a PUPPY; liquor-proof. Tobacco, CBD."},
    {"description": "ammunition box, ammo can"},
    {"description": "prescriptions\nmarijuana"},
    {"title": "RIFLE"},
    {"status": Status.LISTED, "quantity": 0},
    {"status": Status.READY, "quantity": 0},
    {"status": Status.LISTED, "quantity": 1},
    {
        "title": "VINTAGE RIFLE SCOPE",
        "price": Decimal("0"),
        "category": "",
        "status": "listed",
        "quantity": 0,
    },
]


def _sql_warnings(*, changed, stored_column="warnings"):
    meta = Listing._meta
    columns = {name: f'l."{meta.get_field(name).column}"' for name in WARNING_FIELDS}
    sql, params = warnings_sql(columns, changed=changed, stored=f'l."{stored_column}"')
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT l.id, {sql} FROM "{meta.db_table}" AS l', params)  # noqa: S608
        return {pk: json.loads(value) if isinstance(value, str) else value for pk, value in cursor.fetchall()}


@pytest.fixture
def cases(owner):
    listings = {}
    for case in CASES:
        listing = ListingFactory(owner=owner, **case)
        listings[listing.pk] = listing_warnings(listing.field_values())
    return listings


def test_the_cases_hit_every_rule(cases):
    messages = [w for warnings in cases.values() for w in warnings]
    for rule in WARNING_RULES:
        assert any(_matches(message, rule.kind.pattern) for message in messages), rule.kind.name


def test_the_sql_twins_give_what_the_python_rules_give(cases):
    assert _sql_warnings(changed=WARNING_FIELDS) == cases


@pytest.mark.parametrize("rule", WARNING_RULES, ids=lambda rule: rule.kind.name)
def test_each_twin_alone_recomputes_its_rule_and_keeps_the_others_stored(cases, rule):
    """Stored warnings that are wrong for this rule only: recomputing its fields
    fixes it and keeps every other rule's stored message as it was."""
    with connection.cursor() as cursor:
        for pk, warnings in cases.items():
            others = [w for w in warnings if not _matches(w, rule.kind.pattern)]
            cursor.execute(
                "UPDATE listings_listing SET warnings = %s WHERE id = %s", [json.dumps(others), pk]
            )
    assert _sql_warnings(changed=rule.fields) == cases


def _matches(message, pattern):
    # A LIKE pattern's % is fnmatch's * (the patterns have no other wildcard).
    return fnmatch.fnmatchcase(message, pattern.replace("%", "*"))


def test_unchanged_fields_keep_the_stored_warnings(cases):
    with connection.cursor() as cursor:
        for pk, warnings in cases.items():
            cursor.execute(
                "UPDATE listings_listing SET warnings = %s WHERE id = %s", [json.dumps(warnings), pk]
            )
    assert _sql_warnings(changed=()) == cases
