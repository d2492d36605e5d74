"""Reads of listings and templates, always scoped to a user."""

import hashlib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404

from accounts.models import User
from audit.models import AuditEntry
from listings.duplicates import duplicate_ids
from listings.fields import LISTING_FIELDS, MARKETPLACE_FIELDS, Source, Status
from listings.filters import registered_filters
from listings.freshness import listings_version
from listings.models import GridLayout, Listing, SavedView, UndoStep
from listings.skus import sku_key
from listings.validation import PRICE_MAX, parse_bool
from marketplace.errors import FieldError, InvalidInput
from marketplace.input import unstorable_reason, whole_number

# Columns a list can be sorted on; ties are broken by id so pages are stable.
# (Not ``sold_price``: it may be NULL, and the API's keyset cursors compare values.)
ORDERABLE_FIELDS = (
    *(name for name in LISTING_FIELDS if name != "sold_price"),
    "source",
    "created_at",
    "updated_at",
    "id",
)
# ``status=all``: every status, archived too. Without a ``status`` filter archived
# listings are left out (the grid, the API's list and exports alike).
ALL_STATUSES = "all"
UNARCHIVED = tuple(value for value in Status.values if value != Status.ARCHIVED)
DEFAULT_ORDERING = ("-updated_at", "-id")
# The grid's columns before a seller arranges them (see listings.services.layout).
# The other marketplaces' fields are there to show when a seller needs them.
DEFAULT_COLUMNS: dict[str, Any] = {
    "order": list(LISTING_FIELDS),
    "hidden": list(MARKETPLACE_FIELDS),
    "widths": {},
}


def listings_for_user(user: User) -> QuerySet[Listing]:
    return Listing.objects.filter(owner=user)


def listing_get_for_user(user: User, pk: Any) -> Listing:
    """The user's listing, or 404: another user's listing does not exist for them."""
    return get_object_or_404(Listing, pk=pk, owner=user)


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_q(text: str) -> Q:
    """Every word must appear in the title, the description or the category; or the
    whole text is a listing's SKU (any case).

    On PostgreSQL the words are matched in ``listing_search`` (title, description
    and category upper-cased in one text, with a trigram index; see migration
    0003_api_search_trgm), and in the rows of the listings a large write left for
    the worker to index (``listings.search``). A word has no spaces, so it cannot
    straddle two fields. The SKU is looked up in the SKU constraint's index
    (``UPPER(sku)`` first)."""
    words = text.split()
    if not words:
        return Q()
    if connection.vendor == "postgresql":
        patterns = [_like_pattern(word) for word in words]
        indexed = " AND ".join(["s.text LIKE UPPER(%s)"] * len(words))
        scanned = " AND ".join(
            ["listing_search_text(l.title, l.description, l.category) LIKE UPPER(%s)"] * len(words)
        )
        # Planned to hold whatever the pending table's statistics say: NOT IN is one
        # hashed subplan (a NOT EXISTS planned for an empty table rescans it once per
        # match), and the scan goes from each pending id to its row (the LATERAL with
        # OFFSET 0 is not flattened; planned for many pending rows, a join would scan
        # every listing of every seller).
        matching = RawSQL(  # noqa: S611 - the words are parameters
            f"SELECT s.listing_id FROM listing_search AS s WHERE {indexed}"  # noqa: S608
            " AND s.listing_id NOT IN (SELECT listing_id FROM listing_search_pending)"
            " UNION ALL SELECT l.id FROM listing_search_pending AS p CROSS JOIN LATERAL ("
            f" SELECT l.id FROM listings_listing AS l WHERE l.id = p.listing_id AND {scanned}"
            " OFFSET 0) AS l"
            " UNION ALL SELECT id FROM listings_listing WHERE UPPER(sku) = UPPER(%s) AND sku <> ''",
            [*patterns, *patterns, text.strip()],
        )
        return Q(pk__in=matching)
    query = Q()
    for word in words:
        query &= Q(title__icontains=word) | Q(description__icontains=word) | Q(category__icontains=word)
    return query | Q(sku__iexact=text.strip())


def ordering_from(value: str | list[str] | None) -> tuple[str, ...]:
    """``"price,-title"`` as a safe ordering; unknown fields are ignored."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    ordering = []
    for item in items:
        item = item.strip()
        if item.lstrip("-") in ORDERABLE_FIELDS:
            ordering.append(item)
    if not ordering:
        return DEFAULT_ORDERING
    if not any(item.lstrip("-") == "id" for item in ordering):
        ordering.append("-id" if ordering[-1].startswith("-") else "id")
    return tuple(ordering)


class FilterError(InvalidInput):
    """A bad filter value: one field and its message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__([FieldError(field, message)])
        self.field = field
        self.message = message


def _decimal(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise FilterError(field, f"“{value}” is not a number.") from exc
    # "NaN", "Infinity" and "1e999999" parse, but the database refuses them (a 500).
    if not number.is_finite() or abs(number) > PRICE_MAX:
        raise FilterError(field, f"“{value}” is not a price.")
    return number


def filter_id(field: str, value: Any) -> int:
    """An id given as a filter (``?import=12``), or ``FilterError``."""
    number = whole_number(str(value).strip(), minimum=1)
    if number is None:
        raise FilterError(field, f"“{str(value)[:40]}” is not an id.")
    return number


def _filter_texts(params: Mapping[str, Any]) -> dict[str, str]:
    """Each filter as the text a query string would carry: JSON doors (API bodies,
    the export's filter object) may send numbers, booleans, lists or NUL instead."""
    texts = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            raise FilterError(str(name), "Give a single value, not a list or an object.")
        text = str(value)
        if reason := unstorable_reason(text):
            raise FilterError(str(name), reason)
        texts[str(name)] = text
    return texts


def listings_filtered(user: User, params: Mapping[str, Any]) -> QuerySet[Listing]:
    """The user's listings narrowed by the grid's and the API's filter names:
    q, condition, category (prefix), offer_shipping, source, price_min,
    price_max, has_warnings, status (archived left out unless named, or ``all``),
    sku, brand (any case), ebay_category_id, duplicates (``listings.duplicates``),
    ordering, and those other apps register (``listings.filters``). Raises ``FilterError`` on a bad value."""
    params = _filter_texts(params)
    queryset = listings_for_user(user)
    if q := (params.get("q") or "").strip():
        queryset = queryset.filter(search_q(q))
    if condition := params.get("condition"):
        queryset = queryset.filter(condition=condition)
    if category := params.get("category"):
        queryset = queryset.filter(category__startswith=category)
    flags = {}
    for name in ("offer_shipping", "has_warnings", "duplicates"):
        value = params.get(name)
        if value not in (None, ""):
            try:
                flags[name] = parse_bool(value, name)
            except InvalidInput as exc:
                raise FilterError(name, exc.messages()) from exc
    if "offer_shipping" in flags:
        queryset = queryset.filter(offer_shipping=flags["offer_shipping"])
    if "has_warnings" in flags:
        queryset = queryset.filter(has_warnings=flags["has_warnings"])
    if flags.get("duplicates"):
        queryset = queryset.filter(pk__in=duplicate_ids(user))
    queryset = queryset.filter(_status_q(params.get("status") or ""))
    if sku := (params.get("sku") or "").strip():
        queryset = queryset.annotate(sku_key=Upper("sku")).filter(sku_key=sku_key(sku)).exclude(sku="")
    if brand := " ".join((params.get("brand") or "").split()):
        queryset = queryset.filter(brand__iexact=brand)
    if ebay_category_id := (params.get("ebay_category_id") or "").strip():
        queryset = queryset.filter(ebay_category_id=ebay_category_id)
    if source := params.get("source"):
        if source not in Source.values:
            known = ", ".join(Source.values)
            raise FilterError("source", f"“{str(source)[:40]}” is not a source; use one of {known}.")
        queryset = queryset.filter(source=source)
    for listing_filter in registered_filters():
        if value := str(params.get(listing_filter.name) or "").strip():
            queryset = queryset.filter(listing_filter.q(user, value))
    if (price_min := params.get("price_min")) not in (None, ""):
        queryset = queryset.filter(price__gte=_decimal("price_min", price_min))
    if (price_max := params.get("price_max")) not in (None, ""):
        queryset = queryset.filter(price__lte=_decimal("price_max", price_max))
    # Duplicates side by side: a group shares its price and (nearly) its title.
    ordering = params.get("ordering") or ("price,title" if flags.get("duplicates") else None)
    return queryset.order_by(*ordering_from(ordering))


def _status_q(value: str) -> Q:
    """``listed`` or ``listed,sold``; ``all`` for every status; nothing: all but archived."""
    names = [name.strip() for name in value.lower().split(",") if name.strip()]
    if ALL_STATUSES in names:
        return Q()
    if not names:
        return Q(status__in=UNARCHIVED)
    unknown = [name for name in names if name not in Status.values]
    if unknown:
        known = ", ".join([*Status.values, ALL_STATUSES])
        raise FilterError("status", f"“{unknown[0][:40]}” is not a status; use one of {known}.")
    return Q(status__in=names)


# Counts are kept this long at most; a change to the owner's listings retires them sooner.
COUNT_CACHE_SECONDS = 3600
# Filters whose matches can change without a change to the owner's listings: the
# search words (the search index follows big writes later) and the filters other
# apps register (they read those apps' tables). Counts with them are not kept.
_UNCACHED_FILTERS = ("q",)


def listings_count(user: User, listings: QuerySet[Listing], params: Mapping[str, Any]) -> int:
    """``listings.count()`` for ``listings_filtered(user, params)``, kept in the cache
    under the owner's listings version (``listings.freshness``): counting 100,000
    listings costs more than reading a page of them, and the count changes only
    when the write path changes the owner's listings. Inside a transaction the
    count may include writes not yet committed, so it is not kept."""
    listings = listings.order_by()
    names = (*_UNCACHED_FILTERS, *(listing_filter.name for listing_filter in registered_filters()))
    if connection.in_atomic_block or any(str(params.get(name) or "").strip() for name in names):
        return listings.count()
    # The version is read before the listings are counted (see listings.freshness).
    version = listings_version(user.pk)
    sql, sql_params = listings.query.sql_with_params()
    query = hashlib.sha256(repr((sql, sql_params)).encode()).hexdigest()[:32]
    key = f"listings:count:{user.pk}:{version}:{query}"
    count = cache.get(key)
    if count is None:
        count = listings.count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def listing_history(listing: Listing) -> QuerySet[AuditEntry]:
    """The listing's audit entries, newest first (field diffs in ``changes``)."""
    return AuditEntry.objects.filter(
        object_type=Listing._meta.label_lower, object_id=str(listing.pk)
    ).order_by("-created_at", "-id")


def listing_history_entry(listing: Listing, pk: Any) -> AuditEntry:
    """One of the listing's audit entries, or 404."""
    return get_object_or_404(listing_history(listing), pk=pk)


def undo_redo_depth(user: User) -> dict[str, int]:
    """How many steps the user can undo and redo, e.g. to enable the buttons."""
    counts = dict.fromkeys(("undo", "redo"), 0)
    for undone, count in (
        UndoStep.objects.filter(user=user).order_by().values_list("undone").annotate(count=Count("id"))
    ):
        counts["redo" if undone else "undo"] = count
    return counts


# What "add row" creates; a row still exactly like this was never filled in.
NEW_ROW_TITLE = "New listing"


def listings_empty(user: User) -> QuerySet[Listing]:
    """The user's rows added in the grid and never filled in."""
    return listings_for_user(user).filter(title=NEW_ROW_TITLE, price=0, description="", category="")


def grid_layout_for(user: User) -> dict[str, Any]:
    """The seller's column layout: ``{"order", "hidden", "widths"}``."""
    layout = GridLayout.objects.filter(user=user).values_list("columns", flat=True).first()
    if not layout:
        return DEFAULT_COLUMNS
    # A layout saved before a column existed: the column joins at the end, and the
    # optional marketplace columns join hidden, as they are for everyone else.
    new = [name for name in LISTING_FIELDS if name not in layout.get("order", [])]
    if new:
        layout = {
            **layout,
            "order": [*layout.get("order", []), *new],
            "hidden": [*layout.get("hidden", []), *(name for name in new if name in MARKETPLACE_FIELDS)],
        }
    return layout


def saved_views_for(user: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(owner=user)


def saved_view_get_for_user(user: User, pk: Any) -> SavedView:
    return get_object_or_404(SavedView, pk=pk, owner=user)
