"""Which listings an export holds, in the grid's order, always the user's own."""

from collections.abc import Iterator, Mapping, Sequence

from django.db.models import QuerySet

from accounts.models import User
from exports.columns import EXPORT_FIELDS
from exports.writers import Row
from listings.models import Listing
from listings.selectors import listings_filtered

# Rows fetched per round trip from the server-side cursor.
FETCH_ROWS = 2000


def listings_for_export(
    user: User,
    *,
    ids: Sequence[int] | None = None,
    filters: Mapping[str, str] | None = None,
    ordering: str = "",
) -> QuerySet[Listing]:
    """The user's listings narrowed by the grid's ``filters`` and to ``ids`` when given
    (ids of other users' listings match nothing), sorted by ``ordering`` or the grid's
    default. Raises ``listings.selectors.FilterError`` on a bad filter value."""
    params = dict(filters or {})
    if ordering:
        params["ordering"] = ordering
    listings = listings_filtered(user, params)
    if ids is not None:
        listings = listings.filter(pk__in=ids)
    return listings


def export_rows(listings: QuerySet[Listing]) -> Iterator[Row]:
    """The listings as rows of ``exports.columns.EXPORT_COLUMNS``, read through a cursor
    so that only ``FETCH_ROWS`` are in memory at a time."""
    return listings.values_list(*EXPORT_FIELDS).iterator(chunk_size=FETCH_ROWS)
