"""The insights page's figures: a few aggregate queries over a seller's listings,
cached per seller until the write path changes their listings.

Every figure carries ``query``, the grid's (and the listing API's) query string for
exactly the listings it counts: each count is taken with the same condition as the
filter that ``query`` names.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Floor, StrIndex, Substr
from django.utils import timezone

from accounts.models import User
from insights.filters import CATEGORY_SEPARATOR, unchanged_before_q, warning_q
from listings.fields import Condition
from listings.freshness import listings_version
from listings.models import Listing
from listings.readiness import FACEBOOK, not_ready_q, rules
from listings.selectors import listings_for_user
from listings.validation import WARNING_KINDS

# Bump when the figures' shape changes, so no cached copy of the old shape is read.
FIGURES_VERSION = 1
# Writes make a new version at once; this only lets unused copies go.
CACHE_SECONDS = 6 * 60 * 60
TOP_CATEGORIES = 10
PRICE_BINS = 10
STALE_DAYS = 30
CENT = Decimal("0.01")


def _money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(CENT))


def _figure(label: str, count: int, query: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"label": label, "count": count, "query": urlencode(query), **extra}


def _scope(user: User) -> QuerySet[Listing]:
    return listings_for_user(user).order_by()


def _totals(user: User, *, stale_before: date) -> dict[str, Any]:
    """One pass over the listings: every count that has a fixed set of values."""
    return _scope(user).aggregate(
        total=Count("id"),
        highest_price=Max("price"),
        with_warnings=Count("id", filter=Q(has_warnings=True)),
        facebook_not_ready=Count("id", filter=not_ready_q(FACEBOOK, user)),
        stale=Count("id", filter=unchanged_before_q(stale_before)),
        # Aliases are SQL names: the n-th condition, not its words.
        **{
            f"condition_{n}": Count("id", filter=Q(condition=value))
            for n, value in enumerate(Condition.values)
        },
        **{f"warning_{kind.name}": Count("id", filter=warning_q(kind.name)) for kind in WARNING_KINDS},
        **{f"facebook_{rule.name}": Count("id", filter=rule.fails) for rule in rules(FACEBOOK, user)},
    )


def _top_category() -> Case:
    """The first part of the category path ("Furniture" of "Furniture//Beds")."""
    separator = StrIndex("category", Value(CATEGORY_SEPARATOR))
    return Case(
        When(Q(category__contains=CATEGORY_SEPARATOR), then=Substr("category", 1, separator - 1)),
        default=F("category"),
        output_field=CharField(),
    )


def _top_categories(user: User) -> list[dict[str, Any]]:
    rows = (
        _scope(user)
        .exclude(category="")
        .annotate(top=_top_category())
        .values("top")
        .annotate(count=Count("id"))
        .order_by("-count", "top")[:TOP_CATEGORIES]
    )
    return [_figure(row["top"], row["count"], {"top_category": row["top"]}) for row in rows]


def bin_width(highest: Decimal) -> Decimal:
    """A round width (1, 2 or 5 times a power of ten, at least 1) that puts every
    price from 0 to ``highest`` in at most ``PRICE_BINS`` ranges."""
    magnitude = Decimal(1)
    while True:
        for step in (1, 2, 5):
            if magnitude * step * PRICE_BINS > highest:
                return magnitude * step
        magnitude *= 10


def _price_histogram(user: User, highest: Decimal | None) -> dict[str, Any]:
    """Equal ranges from 0; a range holds its lowest price and stops a cent before
    the next range's (prices are whole cents), so ``price_min``/``price_max`` select it."""
    if highest is None:
        return {"bin_width": None, "bins": []}
    width = bin_width(highest)
    counts = dict(
        _scope(user)
        .annotate(bin=Floor(F("price") / width, output_field=IntegerField()))
        .values_list("bin")
        .annotate(count=Count("id"))
    )
    bins = []
    for index in range(int(highest // width) + 1):
        low, high = width * index, width * (index + 1) - CENT
        query = {"price_min": _money(low), "price_max": _money(high)}
        bins.append(_figure(f"{_money(low)}–{_money(high)}", counts.get(index, 0), query, min=_money(low)))
    return {"bin_width": _money(width), "bins": bins}


def compute_insights(user: User, *, today: date) -> dict[str, Any]:
    """Every figure of the page, read from the database now."""
    stale_before = today - timedelta(days=STALE_DAYS)
    totals = _totals(user, stale_before=stale_before)
    not_ready = totals["facebook_not_ready"]
    return {
        "today": today.isoformat(),
        "total": _figure("All listings", totals["total"], {}),
        "by_condition": [
            _figure(label, totals[f"condition_{n}"], {"condition": value})
            for n, (value, label) in enumerate(Condition.choices)
        ],
        "top_categories": _top_categories(user),
        "price_histogram": _price_histogram(user, totals["highest_price"]),
        "warnings": {
            "any": _figure("With any warning", totals["with_warnings"], {"has_warnings": "yes"}),
            "by_kind": [
                _figure(kind.label, totals[f"warning_{kind.name}"], {"warning": kind.name}, kind=kind.name)
                for kind in WARNING_KINDS
            ],
        },
        "facebook": {
            "ready": _figure("Ready for Facebook", totals["total"] - not_ready, {"facebook": "ready"}),
            "not_ready": _figure("Need a fix", not_ready, {"facebook": "not_ready"}),
            "by_check": [
                _figure(
                    rule.reason[:1].upper() + rule.reason[1:],
                    totals[f"facebook_{rule.name}"],
                    {"facebook": rule.name},
                    check=rule.name,
                )
                for rule in rules(FACEBOOK, user)
            ],
        },
        "stale": _figure(
            f"Unchanged for {STALE_DAYS} days",
            totals["stale"],
            {"unchanged_before": stale_before.isoformat()},
            since=stale_before.isoformat(),
        ),
    }


def _cache_key(user: User, today: date) -> str:
    # The day is part of the key: "unchanged for 30 days" and the weeks move with it.
    return f"insights:{FIGURES_VERSION}:{user.pk}:{listings_version(user.pk)}:{today.isoformat()}"


def insights_for(user: User, *, today: date | None = None) -> dict[str, Any]:
    """The seller's figures, from the cache while their listings are unchanged."""
    today = today or timezone.localdate()
    # The version is read before the listings (see listings.freshness).
    key = _cache_key(user, today)
    figures = cache.get(key)
    if figures is None:
        figures = compute_insights(user, today=today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
