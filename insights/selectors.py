"""The insights page's figures: a few aggregate queries over a seller's listings,
cached per seller until the write path changes their listings.

The one pass that reads every listing (``_groups``, with the category counts) is
kept per block of ``BLOCK_IDS`` listing ids, each block's counts cached under a
fingerprint of its rows (how many, the sum of their ids and of their versions, the
latest change): every write bumps the versions of the listings it changes, and new
listings take new ids, so a block whose fingerprint is unchanged holds the same
rows with the same values. After an edit only the blocks it touched are read
again; the fingerprints themselves are one cheap grouped pass.

Every figure carries ``query``, the grid's (and the listing API's) query string for
exactly the listings it counts: each count is taken with the same condition as the
filter that ``query`` names.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, StrIndex, Substr, TruncWeek
from django.utils import formats, timezone

from accounts.models import User
from insights.filters import CATEGORY_SEPARATOR, day_start, unchanged_before_q
from listings.fields import Condition, Status
from listings.freshness import listings_version
from listings.models import Listing
from listings.readiness import FACEBOOK, rules
from listings.selectors import UNARCHIVED, listings_for_user
from listings.validation import WARNING_KINDS
from marketplace.sqlsettings import local_settings

# Bump when the figures' shape changes, so no cached copy of the old shape is read.
FIGURES_VERSION = 3
# Writes make a new version at once; this only lets unused copies go.
CACHE_SECONDS = 6 * 60 * 60
TOP_CATEGORIES = 10
PRICE_BINS = 10
STALE_DAYS = 30
SOLD_WEEKS = 12
CENT = Decimal("0.01")
# Listing ids per block of kept counts: an edit reads its block again, not every listing.
BLOCK_IDS = 5000
# Past this many blocks to read, one pass over all the listings is cheaper than the ranges.
RANGES_READ = 8


def _money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(CENT))


def _figure(label: str, count: int, query: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"label": label, "count": count, "query": urlencode(query), **extra}


def _scope(user: User) -> QuerySet[Listing]:
    """What the grid shows by default: every listing but the archived ones."""
    return listings_for_user(user).filter(status__in=UNARCHIVED).order_by()


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _flags(user: User) -> dict[str, ExpressionWrapper]:
    return {f"fails_{rule.name}": _flag(rule.fails) for rule in rules(FACEBOOK, user)}


def _block_q(blocks: list[int]) -> Q:
    """The listings of these blocks, as id ranges (read through the primary key)."""
    where = Q(pk__in=[])
    for block in blocks:
        where |= Q(pk__gte=block * BLOCK_IDS, pk__lt=(block + 1) * BLOCK_IDS)
    return where


def _block_of() -> ExpressionWrapper:
    # Whole-number division of whole numbers.
    return ExpressionWrapper(F("id") / BLOCK_IDS, output_field=IntegerField())


@contextmanager
def _hashed_groups() -> Iterator[None]:
    """Group in a hash table, not by sorting. PostgreSQL guesses as many groups as
    rows (its estimate of ``id / BLOCK_IDS`` is the distinct ids), so for 100,000
    listings it planned a sort spilled to disk (8.6 MB) where the real groups (every
    block times the few values of each fact: 2,527 here) fit in 7 MB of hash table:
    the pass took 385–490 ms against ~150. The setting lasts until the reads end."""
    if connection.vendor != "postgresql":
        yield
        return
    with local_settings({"enable_sort": "off"}):
        yield


def _read_blocks(user: User, blocks: list[int] | None, *, width: Decimal) -> dict[int, dict[str, Any]]:
    """For each of ``blocks`` (every block when ``None`` or more than ``RANGES_READ``
    are asked for): ``groups`` (every listing, archived too, grouped by every yes/no and
    few-valued fact the figures count: status, condition, each Facebook check, the
    price range; each condition worked out once a listing, the grid filters' own
    ``Q``s), ``categories`` (not archived, by the first part of the category path) and
    ``fingerprint``, taken by the same statement as the groups, so it names the
    rows they were counted from."""
    listings = listings_for_user(user).order_by().annotate(block=_block_of())
    if blocks is not None and len(blocks) <= RANGES_READ:
        listings = listings.filter(_block_q(blocks))
    flags = _flags(user)
    read: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"groups": [], "categories": {}, "fingerprint": None}
    )
    with _hashed_groups():
        rows = (
            listings.annotate(**flags, bin=_price_bin(width))
            .values("block", "status", "condition", "has_warnings", "bin", *flags)
            .annotate(
                count=Count("id"),
                value=Sum(F("price") * F("quantity")),
                prices=Sum("price"),
                # The fingerprint's parts, summed over the block's groups below: no
                # second pass over the rows to name them.
                ids=Sum("id"),
                versions=Sum("version"),
                changed=Max("updated_at"),
            )
        )
        fingerprints: dict[int, list] = {}
        for row in rows:
            block = row.pop("block")
            ids, versions, changed = row.pop("ids"), row.pop("versions"), row.pop("changed")
            read[block]["groups"].append(row)
            fingerprint = fingerprints.setdefault(block, [0, 0, 0, changed])
            fingerprint[0] += row["count"]
            fingerprint[1] += ids
            fingerprint[2] += versions
            fingerprint[3] = max(fingerprint[3], changed)
        for block, (count, ids, versions, changed) in fingerprints.items():
            read[block]["fingerprint"] = (count, ids, versions, changed.isoformat())
        categories = (
            listings.filter(status__in=UNARCHIVED)
            .exclude(category="")
            .annotate(top=_top_category())
            .values_list("block", "top")
            .annotate(count=Count("id"))
        )
        for block, category, count in categories:
            read[block]["categories"][category] = count
    # A block that only the second statement saw (its first listing written between
    # the two) is left to the next read.
    return {block: counts for block, counts in read.items() if counts["fingerprint"] is not None}


def _price_bin(width: Decimal) -> ExpressionWrapper:
    """The price's range: its whole cents divided by the width's (a whole number of
    units, so the integer division is the range's index; prices are 0 or more). A cast
    of numeric to floating point goes through text in PostgreSQL: the pass over 100,000
    listings took 200 ms with it, 132 without."""
    cents = Cast(F("price") * 100, BigIntegerField())
    return ExpressionWrapper(cents / int(width * 100), output_field=BigIntegerField())


def _top_category() -> Case:
    """The first part of the category path ("Furniture" of "Furniture//Beds"), what
    ``top_category_q`` selects: a block keeps a few of these, not every category."""
    cut = StrIndex("category", Value(CATEGORY_SEPARATOR))
    return Case(
        When(category__contains=CATEGORY_SEPARATOR, then=Substr("category", 1, cut - 1)),
        default=F("category"),
        output_field=CharField(),
    )


def _fingerprints(user: User) -> dict[int, tuple]:
    """``{block: (rows, sum of ids, sum of versions, latest change)}`` of the seller's listings."""
    rows = (
        listings_for_user(user)
        .order_by()
        .annotate(block=_block_of())
        .values_list("block")
        .annotate(Count("id"), Sum("id"), Sum("version"), Max("updated_at"))
    )
    return {
        block: (count, ids, versions, changed.isoformat()) for block, count, ids, versions, changed in rows
    }


def _checks_digest(user: User) -> str:
    """The Facebook checks' SQL and values, digested: part of a kept block's key, so a
    new list of Facebook's categories (a deploy) counts every block again."""
    flags = _flags(user)
    sql, params = Listing.objects.annotate(**flags).values(*flags).query.sql_with_params()
    # An array parameter (the categories) by its values, not its object.
    values = [tuple(p) if hasattr(p, "__iter__") and not isinstance(p, str | bytes) else p for p in params]
    return hashlib.sha256(repr((sql, values)).encode()).hexdigest()[:16]


def _kept_counts(user: User, *, width: Decimal) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The groups and category counts of all the seller's listings, from the blocks
    kept in the cache where their fingerprints still match, read for the others.

    Where no block has been kept under these keys' prefix (the seller's first visit,
    a new shape of the figures, new Facebook categories, a new width of the price
    ranges), the fingerprints would only say that every block is to be read: one
    pass then reads every block with its fingerprint, and the fingerprints' own pass
    is left out. The marker that blocks were kept is only a hint: without it every
    block is read, with it each block is checked, both right."""
    prefix = f"insights:block:{FIGURES_VERSION}:{user.pk}:{_checks_digest(user)}:{width}"
    marker = f"{prefix}:kept"

    def key(block: int, fingerprint: tuple) -> str:
        return f"{prefix}:{block}:{'/'.join(map(str, fingerprint))}"

    blocks: dict[int, dict[str, Any]] = {}
    if cache.get(marker):
        keys = {block: key(block, fingerprint) for block, fingerprint in _fingerprints(user).items()}
        kept = cache.get_many(list(keys.values()))
        blocks = {block: kept[name] for block, name in keys.items() if name in kept}
        missing = sorted(set(keys) - set(blocks))
        # A missing block whose listings are all deleted by now is not in the read: it counts none.
        read = _read_blocks(user, missing, width=width) if missing else {}
    else:
        read = _read_blocks(user, None, width=width)
    if read:
        # Each block under the fingerprint its own read took.
        cache.set_many(
            {key(block, counts["fingerprint"]): counts for block, counts in read.items()}, CACHE_SECONDS
        )
        cache.set(marker, True, CACHE_SECONDS)
        blocks.update(read)
    groups = [group for block in blocks.values() for group in block["groups"]]
    categories: Counter[str] = Counter()
    for block in blocks.values():
        categories.update(block["categories"])
    return groups, categories


def _stale_count(user: User, *, stale_before: date) -> int:
    return _scope(user).filter(Q(status=Status.LISTED) & unchanged_before_q(stale_before)).count()


def _tally(
    groups: list[dict[str, Any]], where: Callable[[dict[str, Any]], bool], column: str = "count"
) -> Any:
    return sum((group[column] for group in groups if where(group)), 0)


def _stock(groups: list[dict[str, Any]], status: str, label: str) -> dict[str, Any]:
    """How many listings of ``status``, what they are worth (price × quantity) and
    their average price."""
    count = _tally(groups, lambda group: group["status"] == status)
    prices = _tally(groups, lambda group: group["status"] == status, "prices")
    return _figure(
        label,
        count,
        {"status": status},
        total_value=_money(_tally(groups, lambda group: group["status"] == status, "value")),
        average_price=_money(prices / count if count else None),
    )


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _sold_per_week(user: User, *, today: date) -> list[dict[str, Any]]:
    """The last ``SOLD_WEEKS`` weeks (Monday to Sunday), oldest first: listings
    sold and their revenue (the sold price, else the asking price)."""
    first = _week_start(today) - timedelta(weeks=SOLD_WEEKS - 1)
    rows = (
        listings_for_user(user)
        .filter(status=Status.SOLD, sold_at__gte=day_start(first))
        .order_by()
        .annotate(week=TruncWeek("sold_at"))
        .values("week")
        .annotate(count=Count("id"), revenue=Sum(Coalesce("sold_price", "price")))
    )
    by_week = {timezone.localdate(row["week"]): row for row in rows}
    weeks = []
    for n in range(SOLD_WEEKS):
        week = first + timedelta(weeks=n)
        row = by_week.get(week, {"count": 0, "revenue": None})
        query = {"status": Status.SOLD, "sold_week": week.isoformat()}
        label = f"Week of {formats.date_format(week)}"
        weeks.append(
            _figure(label, row["count"], query, week=week.isoformat(), revenue=_money(row["revenue"]))
        )
    return weeks


def _warning_counts(user: User) -> dict[str, int]:
    """Listings with each kind of warning: only those with warnings are read (an
    index), each stored message matched against every kind's pattern, as the
    ``warning`` filter matches them."""
    listings, params = _scope(user).filter(has_warnings=True).values("id", "warnings").query.sql_with_params()
    kinds = " UNION ALL ".join(["SELECT %s AS name, %s AS pattern"] * len(WARNING_KINDS))
    elements = (
        "jsonb_array_elements_text(listing.warnings) AS w(value)"
        if connection.vendor == "postgresql"
        else "json_each(listing.warnings) AS w"
    )
    # The inner query is Django's own (its values are parameters), the rest constants.
    sql = (
        f"SELECT kind.name, COUNT(DISTINCT listing.id) FROM ({listings}) AS listing "  # noqa: S608
        f"CROSS JOIN {elements} CROSS JOIN ({kinds}) AS kind "
        "WHERE w.value LIKE kind.pattern GROUP BY kind.name"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*params, *(value for kind in WARNING_KINDS for value in (kind.name, kind.pattern))]
        )
        return dict(cursor.fetchall())


def _top_categories(category_counts: Counter[str]) -> list[dict[str, Any]]:
    """The first parts of the category paths, most listings first."""
    top = sorted(category_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    return [_figure(name, count, {"top_category": name}) for name, count in top]


def bin_width(highest: Decimal) -> Decimal:
    """A round width (1, 2 or 5 times a power of ten, at least 1) that puts every
    price from 0 to ``highest`` in at most ``PRICE_BINS`` ranges."""
    magnitude = Decimal(1)
    while True:
        for step in (1, 2, 5):
            if magnitude * step * PRICE_BINS > highest:
                return magnitude * step
        magnitude *= 10


def _price_histogram(groups: list[dict[str, Any]], highest: Decimal | None, width: Decimal) -> dict[str, Any]:
    """Equal ranges from 0; a range holds its lowest price and stops a cent before
    the next range's (prices are whole cents), so ``price_min``/``price_max`` select it."""
    if highest is None:
        return {"bin_width": None, "bins": []}
    bins = []
    for index in range(int(highest // width) + 1):
        low, high = width * index, width * (index + 1) - CENT
        count = _tally(groups, lambda group, index=index: group["bin"] == index)
        query = {"price_min": _money(low), "price_max": _money(high)}
        bins.append(_figure(f"{_money(low)}–{_money(high)}", count, query, min=_money(low)))
    return {"bin_width": _money(width), "bins": bins}


def compute_insights(user: User, *, today: date) -> dict[str, Any]:
    """Every figure of the page, read from the database now."""
    stale_before = today - timedelta(days=STALE_DAYS)
    # The highest price sets the ranges' width: read from the (owner, price) index.
    highest = _scope(user).aggregate(highest=Max("price"))["highest"]
    width = bin_width(highest or Decimal(0))
    every, category_counts = _kept_counts(user, width=width)
    groups = [group for group in every if group["status"] != Status.ARCHIVED]
    warnings = _warning_counts(user)
    total = _tally(groups, lambda group: True)
    checks = rules(FACEBOOK, user)
    not_ready = _tally(groups, lambda group: any(group[f"fails_{rule.name}"] for rule in checks))
    return {
        "today": today.isoformat(),
        "total": _figure("Listings (not archived)", total, {}),
        "by_status": [
            _figure(
                label, _tally(every, lambda group, value=value: group["status"] == value), {"status": value}
            )
            for value, label in Status.choices
        ],
        "stock": [_stock(groups, Status.READY, "Ready"), _stock(groups, Status.LISTED, "Listed")],
        "by_condition": [
            _figure(
                label,
                _tally(groups, lambda group, value=value: group["condition"] == value),
                {"condition": value},
            )
            for value, label in Condition.choices
        ],
        "top_categories": _top_categories(category_counts),
        "price_histogram": _price_histogram(groups, highest, width),
        "warnings": {
            "any": _figure(
                "With any warning",
                _tally(groups, lambda group: group["has_warnings"]),
                {"has_warnings": "yes"},
            ),
            "by_kind": [
                _figure(kind.label, warnings.get(kind.name, 0), {"warning": kind.name}, kind=kind.name)
                for kind in WARNING_KINDS
            ],
        },
        "facebook": {
            "ready": _figure("Ready for Facebook", total - not_ready, {"facebook": "ready"}),
            "not_ready": _figure("Need a fix", not_ready, {"facebook": "not_ready"}),
            "by_check": [
                _figure(
                    rule.reason[:1].upper() + rule.reason[1:],
                    _tally(groups, lambda group, rule=rule: group[f"fails_{rule.name}"]),
                    {"facebook": rule.name},
                    check=rule.name,
                )
                for rule in rules(FACEBOOK, user)
            ],
        },
        "stale": _figure(
            f"Listed, unchanged for {STALE_DAYS} days",
            _stale_count(user, stale_before=stale_before),
            {"status": Status.LISTED, "unchanged_before": stale_before.isoformat()},
            since=stale_before.isoformat(),
        ),
        "sold_per_week": _sold_per_week(user, today=today),
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
