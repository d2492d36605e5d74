"""Whether listings can go to a marketplace as they are: one rule engine, each
marketplace's own rules, every rule a ``Q`` on ``Listing``, so the Export dialog counts
100,000 listings in one query, the grid shows the ones that need a fix
(``?ebay=not_ready``) and each listing's JSON says what it lacks.

A rule holds only what the marketplace itself refuses (``docs/formats.md``). What the
listing model already guarantees (a title, a condition, a price of 0 or more) needs no
rule. Some rules depend on the seller, not the listing (a currency a site does not
take): those fail every listing of that seller.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Floor, Length
from django.db.models.lookups import GreaterThan
from django.db.models.sql import Query

from accounts.models import Currency, User
from listings.categories import all_categories
from listings.filters import ListingFilter
from listings.marketplaces import EBAY_TITLE_MAX_LENGTH, MARKETPLACE_FILES
from listings.models import Listing
from listings.selectors import FilterError
from marketplace.sqlarrays import InArray, StoredTextArray

FACEBOOK = "facebook"
EVERY_LISTING = ~Q(pk=None)
NO_LISTING = Q(pk__in=[])
FACEBOOK_CATEGORIES = StoredTextArray("listings_facebook_categories", all_categories())


def install_facebook_categories(*, using: str = "default", **kwargs) -> None:
    """``post_migrate`` receiver: the database's copy of the shipped categories."""
    FACEBOOK_CATEGORIES.install(connections[using])


# Compared and hashed by identity: the rules are made once (and keyed in a cache).
@dataclass(frozen=True, eq=False)
class Rule:
    name: str
    reason: str  # what the seller reads next to the count: "3 with no category"
    fails: Q

    @cached_property
    def fails_sql(self) -> tuple[str, tuple]:
        """``fails`` as a condition on ``listings_listing``, compiled once per rule
        and process: resolving and compiling the rules' ``Q``s again on every
        listing page cost more than running its query."""
        query = Query(Listing)
        query.add_q(self.fails)
        try:
            sql, params = query.get_compiler(connection=connection).compile(query.where)
        except EmptyResultSet:
            sql, params = "1 = 0", ()
        except FullResultSet:
            sql, params = "1 = 1", ()
        return f"({sql})", tuple(params)


# The rules are made once, so each is compiled once (``Rule.fails_sql``).
NO_CATEGORY = Rule("no_category", "no category", Q(category=""))
# The categories are a function in the database, not 1,869 values (or one 127 KB
# array literal) sent, hashed and parsed with every listing page.
UNKNOWN_CATEGORY = Rule(
    "unknown_category",
    "a category Facebook does not list",
    ~Q(category="") & ~Q(InArray(F("category"), FACEBOOK_CATEGORIES)),
)
# Facebook takes a whole number of dollars above 0; the export would round 19.50 to 20.
WHOLE_PRICE = Rule(
    "price", "a price that is not a whole number above 0", Q(price__lte=0) | ~Q(price=Floor(F("price")))
)
NO_DESCRIPTION = Rule("no_description", "no description", Q(description=""))
PRICE_ZERO = Rule("price_zero", "a price of 0", Q(price__lte=0))
TITLE_TOO_LONG = Rule(
    "title_too_long",
    f"a title over eBay's {EBAY_TITLE_MAX_LENGTH} characters",
    Q(GreaterThan(Length("title"), EBAY_TITLE_MAX_LENGTH)),
)
# eBay publishes no mapping from Facebook's categories to its own ids, so none is
# guessed: the seller sets the listing's eBay category id.
NO_EBAY_CATEGORY = Rule("no_ebay_category", "no eBay category id", Q(ebay_category_id=""))
# The file is eBay US's (its Action column names the site and its currency).
_CURRENCY_REASON = "prices in a currency eBay US does not take (set USD in your profile)"
CURRENCY_REFUSED = Rule("currency", _CURRENCY_REASON, EVERY_LISTING)
CURRENCY_TAKEN = Rule("currency", _CURRENCY_REASON, NO_LISTING)
# Shopify takes a product without a vendor, but not a vendor of one character.
SHORT_BRAND = Rule(
    "short_brand", "a brand of one character (Shopify's Vendor needs two)", Q(brand__regex=r"^.$")
)
# Required of every item in Meta's catalog (Catalog Fields: link, brand).
NO_LINK = Rule("no_link", "no product link", Q(product_link=""))
NO_BRAND = Rule("no_brand", "no brand", Q(brand=""))


def _facebook_rules(user: User) -> tuple[Rule, ...]:
    return (NO_CATEGORY, UNKNOWN_CATEGORY, WHOLE_PRICE)


def _ebay_rules(user: User) -> tuple[Rule, ...]:
    currency = CURRENCY_REFUSED if user.currency != Currency.USD else CURRENCY_TAKEN
    return (TITLE_TOO_LONG, NO_DESCRIPTION, PRICE_ZERO, NO_EBAY_CATEGORY, currency)


def _no_rules(user: User) -> tuple[Rule, ...]:
    # WooCommerce needs only a name, which every listing has.
    return ()


def _shopify_rules(user: User) -> tuple[Rule, ...]:
    return (SHORT_BRAND,)


def _meta_rules(user: User) -> tuple[Rule, ...]:
    return (NO_DESCRIPTION, PRICE_ZERO, NO_LINK, NO_BRAND)


_RULES: dict[str, Callable[[User], tuple[Rule, ...]]] = {
    FACEBOOK: _facebook_rules,
    "ebay": _ebay_rules,
    "shopify": _shopify_rules,
    "woocommerce": _no_rules,
    "meta-catalog": _meta_rules,
}
MARKETPLACES = tuple(_RULES)
# Rules other apps own (photos: "no published photo link"), registered in their
# AppConfig.ready as the grid's filters are: marketplace -> rule makers.
_REGISTERED: dict[str, list[Callable[[User], Rule]]] = {}


def register_rule(marketplaces: tuple[str, ...], make_rule: Callable[[User], Rule]) -> None:
    for marketplace in marketplaces:
        _REGISTERED.setdefault(marketplace, []).append(make_rule)


MARKETPLACE_NAMES = {FACEBOOK: "Facebook"} | {
    name: marketplace_file.marketplace for name, marketplace_file in MARKETPLACE_FILES.items()
}


def rules(marketplace: str, user: User, *, made: dict | None = None) -> tuple[Rule, ...]:
    """The marketplace's rules for ``user``; a registered rule that several
    marketplaces share is made once for all of them when they share ``made``
    (the photo rule asks the database)."""
    made = {} if made is None else made
    for make in _REGISTERED.get(marketplace, ()):
        if make not in made:
            made[make] = make(user)
    return (*_RULES[marketplace](user), *(made[make] for make in _REGISTERED.get(marketplace, ())))


def not_ready_q(marketplace: str, user: User) -> Q:
    fails = NO_LISTING
    for rule in rules(marketplace, user):
        fails |= rule.fails
    return fails


@dataclass(frozen=True)
class Readiness:
    ready: int
    not_ready: int
    reasons: list[tuple[str, int]]  # (reason, listings), only those with any

    def as_dict(self) -> dict:
        return {
            "ready": self.ready,
            "not_ready": self.not_ready,
            "reasons": [{"reason": reason, "count": count} for reason, count in self.reasons],
        }


def readiness(listings: QuerySet[Listing], marketplace: str, user: User) -> Readiness:
    """How many of ``listings`` pass, and how many fail each rule (a listing can fail
    several), in one aggregate query."""
    checks = rules(marketplace, user)
    counts = listings.order_by().aggregate(
        total=Count("id"),
        not_ready=Count("id", filter=not_ready_q(marketplace, user)),
        **{f"rule_{rule.name}": Count("id", filter=rule.fails) for rule in checks},
    )
    return Readiness(
        ready=counts["total"] - counts["not_ready"],
        not_ready=counts["not_ready"],
        reasons=[
            (rule.reason, counts[f"rule_{rule.name}"]) for rule in checks if counts[f"rule_{rule.name}"]
        ],
    )


READINESS_COLUMN = "readiness_failures"


@lru_cache(maxsize=64)
def _failures_column(checks: tuple[Rule, ...]) -> RawSQL:
    """One integer column for every rule of ``checks``: bit ``i`` set when the listing
    fails ``checks[i]``. One column, not one per rule: each annotation costs the ORM
    more to add and compile than the database to compute."""
    parts, params = [], []
    for bit, rule in enumerate(checks):
        sql, rule_params = rule.fails_sql
        parts.append(f"CASE WHEN {sql} THEN {1 << bit} ELSE 0 END")
        params.extend(rule_params)
    # The SQL is Django's own compilation of the rules; their values stay parameters.
    return RawSQL(" + ".join(parts) or "0", tuple(params), output_field=IntegerField())  # noqa: S611


def readiness_columns(user: User) -> tuple[dict[str, RawSQL], Callable[[Mapping[str, Any]], dict]]:
    """What each marketplace's rules say of a listing, as the annotation to add to a
    listing query, and the reader of a row of it: ``{marketplace: {"ready": bool,
    "reasons": [reason, …]}}``. The rules are made once here, not once per row (some
    ask the database about the seller)."""
    made: dict = {}
    checks = {marketplace: rules(marketplace, user, made=made) for marketplace in MARKETPLACES}
    # A rule two marketplaces share (no description) is one bit.
    distinct = tuple(
        dict.fromkeys(rule for marketplace_rules in checks.values() for rule in marketplace_rules)
    )
    bit = {rule: 1 << position for position, rule in enumerate(distinct)}
    named = [
        (marketplace, [(bit[rule], rule.reason) for rule in marketplace_rules])
        for marketplace, marketplace_rules in checks.items()
    ]

    def read(row: Mapping[str, Any]) -> dict[str, dict]:
        failures = row[READINESS_COLUMN]
        result = {}
        for marketplace, marketplace_rules in named:
            reasons = [reason for mask, reason in marketplace_rules if failures & mask]
            result[marketplace] = {"ready": not reasons, "reasons": reasons}
        return result

    return {READINESS_COLUMN: _failures_column(distinct)}, read


STATES = ("ready", "not_ready")


def _rule(marketplace: str, user: User, value: str) -> Rule | None:
    """The rule ``value`` names, after checking it is a state or a rule's name."""
    checks = rules(marketplace, user)
    if value in STATES:
        return None
    if (rule := next((rule for rule in checks if rule.name == value), None)) is None:
        names = ", ".join((*STATES, *(rule.name for rule in checks)))
        raise FilterError(marketplace, f"“{value[:40]}” is not a state; use one of {names}.")
    return rule


def _filter(marketplace: str) -> ListingFilter:
    """``?ebay=ready``, ``?ebay=not_ready``, or one rule's name: the listings failing it."""
    name = MARKETPLACE_NAMES[marketplace]

    def q(user: User, value: str) -> Q:
        if (rule := _rule(marketplace, user, value)) is not None:
            return rule.fails
        fails = not_ready_q(marketplace, user)
        return fails if value == "not_ready" else ~fails

    def describe(user: User, value: str) -> str:
        if (rule := _rule(marketplace, user, value)) is not None:
            return f"Listings {name} would refuse for {rule.reason}"
        if value == "not_ready":
            return f"Listings that need a fix for {name}"
        return f"Listings ready for {'a Facebook export' if marketplace == FACEBOOK else name}"

    return ListingFilter(name=marketplace, q=q, describe=describe)


# ``?facebook=not_ready``, ``?ebay=ready``, …: registered by the listings app.
READINESS_FILTERS = tuple(_filter(marketplace) for marketplace in MARKETPLACES)
