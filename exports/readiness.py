"""Whether listings can go to Facebook as they are: the checks its bulk-upload file
makes, in SQL, so the Export dialog counts 100,000 listings in one query and the grid
can show the ones that need a fix (``?facebook=not_ready``, or one check's name:
``?facebook=no_category``).

Facebook's template asks for a title of at most 150 characters and one of four
conditions; the listing model holds every listing to both (``TITLE_MAX_LENGTH``, the
condition constraint), so only the category and the price can stop an export.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Floor

from accounts.models import User
from listings.categories import all_categories
from listings.filters import ListingFilter
from listings.models import Listing
from listings.selectors import FilterError


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str  # what the seller reads next to the count
    fails: Q


def rules() -> tuple[Rule, ...]:
    return (
        Rule("no_category", "no category", Q(category="")),
        Rule(
            "unknown_category",
            "a category Facebook does not list",
            ~Q(category="") & ~Q(category__in=all_categories()),
        ),
        # Facebook takes a whole number of dollars above 0; the export would round 19.50 to 20.
        Rule(
            "price",
            "a price that is not a whole number above 0",
            Q(price__lte=0) | ~Q(price=Floor(F("price"))),
        ),
    )


def not_ready_q() -> Q:
    fails = Q(pk__in=[])
    for rule in rules():
        fails |= rule.fails
    return fails


@dataclass(frozen=True)
class Readiness:
    ready: int
    not_ready: int
    reasons: list[tuple[str, int]]  # (reason, listings), only those with any


def facebook_readiness(listings: QuerySet[Listing]) -> Readiness:
    """How many of ``listings`` pass, and how many fail each check (a listing can fail
    several), in one aggregate query."""
    counts = listings.order_by().aggregate(
        total=Count("id"),
        not_ready=Count("id", filter=not_ready_q()),
        **{rule.name: Count("id", filter=rule.fails) for rule in rules()},
    )
    return Readiness(
        ready=counts["total"] - counts["not_ready"],
        not_ready=counts["not_ready"],
        reasons=[(rule.reason, counts[rule.name]) for rule in rules() if counts[rule.name]],
    )


STATES = {
    "ready": "Listings ready for a Facebook export",
    "not_ready": "Listings that need a fix for Facebook",
}


def _rule(value: str) -> Rule | None:
    return next((rule for rule in rules() if rule.name == value), None)


def _state(value: str) -> str:
    if value not in STATES and _rule(value) is None:
        names = ", ".join((*STATES, *(rule.name for rule in rules())))
        raise FilterError("facebook", f"“{value[:40]}” is not a state; use one of {names}.")
    return value


def _facebook_q(user: User, value: str) -> Q:
    """``ready``, ``not_ready``, or the name of one check: the listings failing it."""
    if (rule := _rule(_state(value))) is not None:
        return rule.fails
    fails = not_ready_q()
    return fails if value == "not_ready" else ~fails


def _describe(user: User, value: str) -> str:
    if (rule := _rule(_state(value))) is not None:
        return f"Listings Facebook would refuse for {rule.reason}"
    return STATES[value]


FACEBOOK_FILTER = ListingFilter(name="facebook", q=_facebook_q, describe=_describe)
