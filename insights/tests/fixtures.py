"""A seller's listings whose every insight figure is worked out by hand below."""

from dataclasses import dataclass
from datetime import timedelta

import time_machine
from django.utils import timezone

from listings.services.changes import listings_create_many
from listings.validation import clean_listing

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"
BOOKCASES = "Furniture//Living Room Furniture//Bookcases"
SHADES = "Home & Kitchen//Lamps & Lighting//Lamp Shades"
CAGES = "Pet Supplies//Bird Supplies//Bird Cages"

# title, price, condition, category; made now unless "stale".
ROWS = {
    "chair": ("Oak chair", "45.00", "Used - Good", CHAIRS),
    "table": ("Oak chair, the large one", "120.00", "New", CHAIRS),
    "lamp": ("Brass lamp shade", "19.50", "Used - Fair", SHADES),  # Facebook: not whole dollars
    # Warnings: no category, price 0, capitals. Facebook: no category, price.
    "sofa": ("FREE SOFA", "0", "Used - Good", ""),
    # Warning and Facebook: not a Facebook category ("Furniture Sets" is not "Furniture").
    "box": ("Mystery box", "7.00", "New", "Furniture Sets//Boxes"),
    "cage": ("Cage for a puppy", "300.00", "Used - Like New", CAGES),  # warning: prohibited
}
STALE_ROW = ("Old bookcase", "60.00", "Used - Good", BOOKCASES)  # unchanged for 40 days


@dataclass
class Shop:
    ids: dict[str, int]  # row name -> listing id


def _values(title: str, price: str, condition: str, category: str) -> dict:
    return clean_listing({"title": title, "price": price, "condition": condition, "category": category})


def make_shop(owner) -> Shop:
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        (stale,) = listings_create_many(owner=owner, rows=[_values(*STALE_ROW)])
    created = listings_create_many(owner=owner, rows=[_values(*row) for row in ROWS.values()])
    return Shop(ids={"stale": stale, **dict(zip(ROWS, created, strict=True))})


# What the page must say about ``make_shop``'s listings, worked out by hand; each
# figure as (count, the names of exactly the listings it counts).
EVERYONE = {"chair", "table", "lamp", "sofa", "box", "cage", "stale"}
EXPECTED = {
    "total": (7, EVERYONE),
    "condition:New": (2, {"table", "box"}),
    "condition:Used - Like New": (1, {"cage"}),
    "condition:Used - Good": (3, {"chair", "sofa", "stale"}),
    "condition:Used - Fair": (1, {"lamp"}),
    # Most first, ties by name; "Furniture Sets" is a category of its own.
    "category:Furniture": (3, {"chair", "table", "stale"}),
    "category:Furniture Sets": (1, {"box"}),
    "category:Home & Kitchen": (1, {"lamp"}),
    "category:Pet Supplies": (1, {"cage"}),
    # The highest price is 300, so ranges of 50 (10 of 20 or 25 would not reach it).
    "price:0.00": (4, {"chair", "lamp", "sofa", "box"}),
    "price:50.00": (1, {"stale"}),
    "price:100.00": (1, {"table"}),
    "price:150.00": (0, set()),
    "price:200.00": (0, set()),
    "price:250.00": (0, set()),
    "price:300.00": (1, {"cage"}),
    "warnings:any": (3, {"sofa", "box", "cage"}),
    "warning:unknown_category": (1, {"box"}),
    "warning:no_category": (1, {"sofa"}),
    "warning:zero_price": (1, {"sofa"}),
    "warning:capitals": (1, {"sofa"}),
    "warning:prohibited": (1, {"cage"}),
    "facebook:ready": (4, {"chair", "table", "cage", "stale"}),
    "facebook:not_ready": (3, {"lamp", "sofa", "box"}),
    "facebook:no_category": (1, {"sofa"}),
    "facebook:unknown_category": (1, {"box"}),
    "facebook:price": (2, {"lamp", "sofa"}),
    "stale": (1, {"stale"}),
}


def figures_by_name(figures: dict) -> dict[str, dict]:
    """Every figure of ``insights_for`` under the names ``EXPECTED`` uses."""
    named = {"total": figures["total"], "warnings:any": figures["warnings"]["any"], "stale": figures["stale"]}
    for figure in figures["by_condition"]:
        named[f"condition:{figure['label']}"] = figure
    for figure in figures["top_categories"]:
        named[f"category:{figure['label']}"] = figure
    for figure in figures["price_histogram"]["bins"]:
        named[f"price:{figure['min']}"] = figure
    for figure in figures["warnings"]["by_kind"]:
        named[f"warning:{figure['kind']}"] = figure
    named["facebook:ready"] = figures["facebook"]["ready"]
    named["facebook:not_ready"] = figures["facebook"]["not_ready"]
    for figure in figures["facebook"]["by_check"]:
        named[f"facebook:{figure['check']}"] = figure
    return named
