"""Realistic demo listings across real Facebook categories, for seed_demo."""

import random
from decimal import Decimal

from listings.categories import all_categories
from listings.fields import Condition

_ADJECTIVES = (
    "Vintage",
    "Compact",
    "Solid wood",
    "Stainless",
    "Wireless",
    "Handmade",
    "Large",
    "Classic",
    "Portable",
)
_DETAILS = (
    "Works perfectly, lightly used.",
    "Smoke-free home. Pick-up or shipping.",
    "Original box and manual included.",
    "Minor scratches on one side, see photos.",
    "Bought last year, barely used.",
)


def demo_rows(count: int, *, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    categories = all_categories()
    rows = []
    for number in range(1, count + 1):
        category = rng.choice(categories)
        leaf = category.rsplit("//", 1)[-1]
        rows.append(
            {
                "title": f"{rng.choice(_ADJECTIVES)} {leaf} #{number}"[:150],
                "price": Decimal(rng.randrange(100, 250_000)) / 100,
                "condition": rng.choice(Condition.values),
                "description": " ".join(rng.sample(_DETAILS, 2)),
                "category": category,
                "offer_shipping": rng.random() < 0.4,
            }
        )
    return rows
