import fnmatch
from decimal import Decimal

import pytest

from listings.validation import (
    WARNING_KINDS,
    clean_listing,
    clean_template_defaults,
    listing_warnings,
    parse_bool,
    parse_condition,
    parse_price,
)
from marketplace.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,299.00", Decimal("1299.00")),
        ("1.299,00 €", Decimal("1299.00")),
        ("12,50", Decimal("12.50")),
        ("1,299", Decimal("1299.00")),
        ("USD 15", Decimal("15.00")),
        (15, Decimal("15.00")),
        (19.99, Decimal("19.99")),
        ("0", Decimal("0.00")),
        ("4.505", Decimal("4.51")),
        ("1.299.000", Decimal("1299000.00")),
    ],
)
def test_parse_price_normalises_what_sellers_type(raw, expected):
    assert parse_price(raw) == expected


@pytest.mark.parametrize("raw", ["", "free", None, True, "-5", "(3.00)", "100000000"])
def test_parse_price_rejects_non_prices(raw):
    with pytest.raises(InvalidInput):
        parse_price(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("used like new", "Used - Like New"),
        ("Used - Like New", "Used - Like New"),
        ("USED_GOOD", "Used - Good"),
        ("brand new", "New"),
        ("fair", "Used - Fair"),
    ],
)
def test_parse_condition_accepts_synonyms(raw, expected):
    assert parse_condition(raw) == expected


def test_parse_condition_names_the_choices_on_error():
    with pytest.raises(InvalidInput, match="Used - Like New"):
        parse_condition("broken")


@pytest.mark.parametrize(
    ("raw", "expected"), [("Yes", True), ("no", False), ("TRUE", True), (0, False), (1, True), ("", False)]
)
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


def test_parse_bool_rejects_other_words():
    with pytest.raises(InvalidInput):
        parse_bool("maybe")


def test_clean_listing_fills_defaults_and_canonicalises_category():
    cleaned = clean_listing(
        {"title": "  Desk  lamp ", "price": "$20", "category": "electronics//cell phones"}
    )
    assert cleaned == {
        "title": "Desk lamp",
        "price": Decimal("20.00"),
        "condition": "New",
        "description": "",
        "category": "electronics//cell phones",
        "offer_shipping": False,
    }


def test_clean_listing_reports_every_error_at_once():
    with pytest.raises(InvalidInput) as caught:
        clean_listing({"title": "x" * 151, "price": "-1", "condition": "meh", "description": "d" * 5001})
    fields = sorted(error.field for error in caught.value.errors)
    assert fields == ["condition", "description", "price", "title"]


def test_clean_listing_partial_only_touches_given_fields():
    assert clean_listing({"offer_shipping": "Yes"}, partial=True) == {"offer_shipping": True}


def test_clean_listing_requires_title_and_price():
    with pytest.raises(InvalidInput) as caught:
        clean_listing({})
    assert {e.field for e in caught.value.errors} == {"title", "price"}


def test_known_category_is_spelled_as_facebook_does():
    cleaned = clean_listing(
        {"title": "Chair", "price": 5, "category": "furniture//dining room furniture//dining chairs"}
    )
    assert cleaned["category"] == "Furniture//Dining Room Furniture//Dining Chairs"


def test_warnings_are_advice_not_errors():
    warnings = listing_warnings(
        {"title": "VINTAGE RIFLE SCOPE", "price": Decimal("0"), "category": "Guns//Scopes", "description": ""}
    )
    assert any("not a Facebook Marketplace category" in w for w in warnings)
    assert "The price is 0." in warnings
    assert "The title is in capitals." in warnings
    assert any("rifle" in w for w in warnings)


def test_clean_listing_warnings_absent_for_a_good_listing():
    values = clean_listing(
        {"title": "Dining chair", "price": 45, "category": "Furniture//Dining Room Furniture//Dining Chairs"}
    )
    assert listing_warnings(values) == []


def test_template_defaults_only_take_listing_fields():
    with pytest.raises(InvalidInput) as caught:
        clean_template_defaults({"colour": "red", "price": "abc"})
    assert {e.field for e in caught.value.errors} == {"colour", "price"}
    assert clean_template_defaults({"price": "$5", "condition": "like new"}) == {
        "price": "5.00",
        "condition": "Used - Like New",
    }


SHADES = "Home & Kitchen//Lamps & Lighting//Lamp Shades"


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"title": "Lamp", "price": "5", "category": "Lamps of all sorts"}, "unknown_category"),
        ({"title": "Lamp", "price": "5", "category": ""}, "no_category"),
        (
            {"title": "Lamp", "price": "0", "category": SHADES},
            "zero_price",
        ),
        (
            {
                "title": "LAMP SHADE",
                "price": "5",
                "category": "Home & Kitchen//Lamps & Lighting//Lamp Shades",
            },
            "capitals",
        ),
        (
            {"title": "Vape lamp", "price": "5", "category": SHADES},
            "prohibited",
        ),
    ],
)
def test_each_warning_is_of_exactly_one_kind(values, kind):
    (warning,) = listing_warnings(values)
    # A LIKE pattern's % is fnmatch's * (the patterns have no other wildcard).
    kinds = [k.name for k in WARNING_KINDS if fnmatch.fnmatchcase(warning, k.pattern.replace("%", "*"))]

    assert kinds == [kind]
