"""A seller's listings whose every insight figure is worked out by hand below."""

from dataclasses import dataclass
from datetime import date, timedelta

import time_machine
from django.utils import timezone

from listings.services.changes import listings_create_many
from listings.validation import clean_listing

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"
BOOKCASES = "Furniture//Living Room Furniture//Bookcases"
SHADES = "Home & Kitchen//Lamps & Lighting//Lamp Shades"
VASES = "Home & Kitchen//Home Decor//Decorative Accents//Vases"
CLOCKS = "Home & Kitchen//Home Decor//Clocks"
RUGS = "Home & Kitchen//Home Decor//Rugs & Carpets//Area Rugs"
CAGES = "Pet Supplies//Bird Supplies//Bird Cages"

# name: (days ago it was made, and so last changed or sold), its fields.
ROWS = {
    "chair": (
        0,
        {
            "title": "Oak chair",
            "price": "45.00",
            "condition": "Used - Good",
            "category": CHAIRS,
            "status": "listed",
            "quantity": 2,
        },
    ),
    "table": (
        0,
        {
            "title": "Oak chair, the large one",
            "price": "120.00",
            "condition": "New",
            "category": CHAIRS,
            "status": "sold",
            "sold_price": "100.00",
        },
    ),
    # Facebook: not whole dollars.
    "lamp": (
        0,
        {
            "title": "Brass lamp shade",
            "price": "19.50",
            "condition": "Used - Fair",
            "category": SHADES,
            "status": "draft",
        },
    ),
    # Warnings: no category, price 0, capitals. Facebook: no category, price.
    "sofa": (
        0,
        {"title": "FREE SOFA", "price": "0", "condition": "Used - Good", "category": "", "status": "ready"},
    ),
    # Warning and Facebook: not a Facebook category ("Furniture Sets" is not "Furniture").
    "box": (
        0,
        {
            "title": "Mystery box",
            "price": "7.00",
            "condition": "New",
            "category": "Furniture Sets//Boxes",
            "status": "ready",
            "quantity": 3,
        },
    ),
    # Warnings: prohibited, listed with none in stock.
    "cage": (
        0,
        {
            "title": "Cage for a puppy",
            "price": "300.00",
            "condition": "Used - Like New",
            "category": CAGES,
            "status": "listed",
            "quantity": 0,
        },
    ),
    # Archived: in the status counts only (its price would widen the price ranges).
    "rug": (
        0,
        {
            "title": "Persian rug",
            "price": "999.00",
            "condition": "Used - Good",
            "category": RUGS,
            "status": "archived",
        },
    ),
    "stale": (
        40,
        {
            "title": "Old bookcase",
            "price": "60.00",
            "condition": "Used - Good",
            "category": BOOKCASES,
            "status": "listed",
        },
    ),
    # Sold last week with no sold price: its asking price is the revenue.
    "vase": (
        7,
        {"title": "Glass vase", "price": "25.00", "condition": "New", "category": VASES, "status": "sold"},
    ),
    # Sold before the twelve weeks shown.
    "clock": (
        100,
        {
            "title": "Wall clock",
            "price": "80.00",
            "condition": "Used - Good",
            "category": CLOCKS,
            "status": "sold",
            "sold_price": "70.00",
        },
    ),
}


@dataclass
class Shop:
    ids: dict[str, int]  # row name -> listing id


def make_shop(owner) -> Shop:
    ids = {}
    now = timezone.now()
    for name, (days_ago, values) in ROWS.items():
        with time_machine.travel(now - timedelta(days=days_ago)):
            (ids[name],) = listings_create_many(owner=owner, rows=[clean_listing(values)])
    return Shop(ids=ids)


def this_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


SHOWN = {"chair", "table", "lamp", "sofa", "box", "cage", "stale", "vase", "clock"}  # all but archived
# What the page must say about ``make_shop``'s listings, worked out by hand; each
# figure as (count, the names of exactly the listings it counts).
EXPECTED = {
    "total": (9, SHOWN),
    "status:draft": (1, {"lamp"}),
    "status:ready": (2, {"sofa", "box"}),
    "status:listed": (3, {"chair", "cage", "stale"}),
    "status:sold": (3, {"table", "vase", "clock"}),
    "status:archived": (1, {"rug"}),
    "stock:ready": (2, {"sofa", "box"}),
    "stock:listed": (3, {"chair", "cage", "stale"}),
    "condition:New": (3, {"table", "box", "vase"}),
    "condition:Used - Like New": (1, {"cage"}),
    "condition:Used - Good": (4, {"chair", "sofa", "stale", "clock"}),
    "condition:Used - Fair": (1, {"lamp"}),
    # Most first, ties by name.
    "category:Furniture": (3, {"chair", "table", "stale"}),
    "category:Home & Kitchen": (3, {"lamp", "vase", "clock"}),
    "category:Furniture Sets": (1, {"box"}),
    "category:Pet Supplies": (1, {"cage"}),
    # The highest price shown is 300, so ranges of 50 (10 of 20 or 25 would not reach it).
    "price:0.00": (5, {"chair", "lamp", "sofa", "box", "vase"}),
    "price:50.00": (2, {"stale", "clock"}),
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
    "warning:no_stock": (1, {"cage"}),
    "facebook:ready": (6, {"chair", "table", "cage", "stale", "vase", "clock"}),
    "facebook:not_ready": (3, {"lamp", "sofa", "box"}),
    "facebook:no_category": (1, {"sofa"}),
    "facebook:unknown_category": (1, {"box"}),
    "facebook:price": (2, {"lamp", "sofa"}),
    "stale": (1, {"stale"}),
    **{f"sold:{week}": (0, set()) for week in range(2, 12)},
    "sold:1": (1, {"vase"}),  # last week
    "sold:0": (1, {"table"}),  # this week
}
# Stock: price × quantity, and the average price.
STOCK = {"ready": ("21.00", "3.50"), "listed": ("150.00", "135.00")}
REVENUE = {0: "100.00", 1: "25.00"}  # weeks ago -> revenue


def figures_by_name(figures: dict) -> dict[str, dict]:
    """Every figure of ``insights_for`` under the names ``EXPECTED`` uses."""
    named = {"total": figures["total"], "warnings:any": figures["warnings"]["any"], "stale": figures["stale"]}
    for figure in figures["by_status"]:
        named[f"status:{figure['query'].removeprefix('status=')}"] = figure
    for figure in figures["stock"]:
        named[f"stock:{figure['query'].removeprefix('status=')}"] = figure
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
    for figure in figures["sold_per_week"]:
        weeks_ago = (this_monday() - date.fromisoformat(figure["week"])).days // 7
        named[f"sold:{weeks_ago}"] = figure
    return named
