"""The grid filters that the insights page's figures link to, so each figure opens
the grid (and the API and the export, which read the same filters) on exactly the
listings it counts; the page counts with these same conditions.

- ``?warning=KIND``: listings with one kind of warning (``WARNING_KINDS``).
- ``?top_category=NAME``: listings whose category path starts at ``NAME``
  ("Furniture" and "Furniture//…", not "Furniture Sets").
- ``?unchanged_before=YYYY-MM-DD``: listings not changed since before that day.
- ``?sold_week=YYYY-MM-DD``: listings sold in the week starting that Monday.
"""

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import formats, timezone

from listings.filters import ListingFilter
from listings.models import Listing
from listings.selectors import FilterError
from listings.validation import WARNING_KINDS, WarningKind

CATEGORY_SEPARATOR = "//"


def _warning_kind(value: str) -> WarningKind:
    kind = next((kind for kind in WARNING_KINDS if kind.name == value), None)
    if kind is None:
        names = ", ".join(kind.name for kind in WARNING_KINDS)
        raise FilterError("warning", f"“{value[:40]}” is not a kind of warning; use one of {names}.")
    return kind


def warning_q(name: str) -> Q:
    """Listings with a warning of the kind ``name``: one of their stored messages
    matches the kind's pattern."""
    kind = _warning_kind(name)
    column = f"{connection.ops.quote_name(Listing._meta.db_table)}.{connection.ops.quote_name('warnings')}"
    elements = (
        f"jsonb_array_elements_text({column}) AS w(value)"
        if connection.vendor == "postgresql"
        else f"json_each({column}) AS w"
    )
    # Identifiers come from the model; the pattern is a parameter.
    matches = RawSQL(  # noqa: S611
        f"EXISTS (SELECT 1 FROM {elements} WHERE w.value LIKE %s)",  # noqa: S608
        [kind.pattern],
        output_field=BooleanField(),
    )
    return Q(has_warnings=True) & Q(matches)


def top_category_q(name: str) -> Q:
    return Q(category=name) | Q(category__startswith=name + CATEGORY_SEPARATOR)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(field, f"“{value[:40]}” is not a date (YYYY-MM-DD).") from None


def _monday(value: str) -> date:
    day = _day(value, "sold_week")
    if day.weekday() != 0:
        raise FilterError("sold_week", f"{day.isoformat()} is not a Monday; a week starts on one.")
    return day


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def unchanged_before_q(day: date) -> Q:
    return Q(updated_at__lt=day_start(day))


def sold_week_q(monday: date) -> Q:
    return Q(sold_at__gte=day_start(monday), sold_at__lt=day_start(monday + timedelta(days=7)))


INSIGHT_FILTERS = (
    ListingFilter(
        name="warning",
        q=lambda user, value: warning_q(value),
        describe=lambda user, value: f"Listings warned: {_warning_kind(value).label.lower()}",
    ),
    ListingFilter(
        name="top_category",
        q=lambda user, value: top_category_q(value),
        describe=lambda user, value: f"Listings in {value[:80]}",
    ),
    ListingFilter(
        name="unchanged_before",
        q=lambda user, value: unchanged_before_q(_day(value, "unchanged_before")),
        describe=lambda user, value: (
            f"Listings unchanged since before {formats.date_format(_day(value, 'unchanged_before'))}"
        ),
    ),
    ListingFilter(
        name="sold_week",
        q=lambda user, value: sold_week_q(_monday(value)),
        describe=lambda user, value: f"Listings sold in the week of {formats.date_format(_monday(value))}",
    ),
)
