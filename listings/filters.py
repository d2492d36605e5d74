"""Grid filters that other modules contribute: ``?import=ID`` (the imports app) and
``?facebook=ready|not_ready``, ``?ebay=…`` (``listings.readiness``) narrow the
listings by facts those modules own.

``listings`` cannot import the apps that depend on it, so each registers its filter in
its ``AppConfig.ready``; ``listings_filtered`` (grid, API, export) applies every
registered filter whose name is in the query. A filter returns a ``Q`` on ``Listing``
and raises ``FilterError`` for a value it cannot read; ``describe`` says in words what
it shows ("Listings from import 12"), for the grid's active-filter line.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User


@dataclass(frozen=True)
class ListingFilter:
    name: str
    q: Callable[[User, str], Q]
    describe: Callable[[User, str], str]


_FILTERS: dict[str, ListingFilter] = {}


def register_listing_filter(listing_filter: ListingFilter) -> None:
    _FILTERS[listing_filter.name] = listing_filter


def registered_filters() -> tuple[ListingFilter, ...]:
    return tuple(_FILTERS.values())
