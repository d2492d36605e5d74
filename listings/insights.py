"""Aggregates over a seller's listings, computed by the database (one query each,
whatever the number of listings): counts by field, price statistics and histogram,
listings created per day/week/month, duplicate titles."""

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, IntegerField, Max, Min, QuerySet, Sum, Window
from django.db.models.functions import Floor, Lower, RowNumber, Trunc
from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from listings.selectors import listings_for_user

PERIODS = ("day", "week", "month")


def _number(value: Decimal | float | None) -> float:
    return round(float(value or 0), 2)


def price_summary(user: User) -> dict[str, Any]:
    """``{total_listings, average_price, total_value, price_range: {min, max}}``."""
    totals = listings_for_user(user).aggregate(
        count=Count("id"), average=Avg("price"), total=Sum("price"), low=Min("price"), high=Max("price")
    )
    return {
        "total_listings": totals["count"],
        "average_price": _number(totals["average"]),
        "total_value": _number(totals["total"]),
        "price_range": {"min": _number(totals["low"]), "max": _number(totals["high"])},
    }


def counts_by(user: User, field: str) -> dict[Any, int]:
    """How many listings have each value of ``field``, most common first."""
    rows = (
        listings_for_user(user).order_by().values(field).annotate(count=Count("id")).order_by("-count", field)
    )
    return {row[field]: row["count"] for row in rows}


def top_values(user: User, field: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """``[{field: value, count, avg_price}]``, most common first, blank values left out."""
    rows = (
        listings_for_user(user)
        .exclude(**{field: ""})
        .order_by()
        .values(field)
        .annotate(count=Count("id"), avg_price=Avg("price"))
        .order_by("-count", field)
    )
    rows = rows[:limit] if limit else rows
    return [
        {field: row[field], "count": row["count"], "avg_price": _number(row["avg_price"])} for row in rows
    ]


def price_histogram(user: User, *, bins: int) -> dict[str, Any]:
    """``bins`` equal-width price ranges from the lowest to the highest price, each
    with its count and share, and the mean, median, count, min and max."""
    listings = listings_for_user(user)
    stats = listings.aggregate(count=Count("id"), low=Min("price"), high=Max("price"), mean=Avg("price"))
    if not stats["count"]:
        return {"bins": [], "statistics": {}}
    low, high = stats["low"], stats["high"]
    width = (high - low) / bins if high > low else Decimal(1)
    counts: Mapping[int, int] = {}
    if high > low:
        rows = (
            listings.order_by()
            .annotate(bucket=Floor((F("price") - low) / width, output_field=IntegerField()))
            .values("bucket")
            .annotate(count=Count("id"))
        )
        # Ranges include their lower bound; the highest price closes the last range.
        counts = {}
        for row in rows:
            bucket = min(int(row["bucket"]), bins - 1) + 1
            counts[bucket] = counts.get(bucket, 0) + row["count"]
    else:
        counts = {1: stats["count"]}
    ordered = listings.order_by("price").values_list("price", flat=True)
    median = ordered[stats["count"] // 2]
    return {
        "bins": [
            {
                "min": _number(low + width * index),
                "max": _number(low + width * (index + 1)),
                "count": counts.get(index + 1, 0),
                "percentage": round(100 * counts.get(index + 1, 0) / stats["count"], 2),
            }
            for index in range(bins)
        ],
        "statistics": {
            "mean": _number(stats["mean"]),
            "median": _number(median),
            "count": stats["count"],
            "min": _number(low),
            "max": _number(high),
        },
    }


def created_per_period(user: User, *, period: str, days: int) -> list[dict[str, Any]]:
    """Listings created in the last ``days`` days, per day, week or month:
    ``[{date, count, total_value}]``, oldest first."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        listings_for_user(user)
        .filter(created_at__gte=since)
        .order_by()
        .annotate(start=Trunc("created_at", period))
        .values("start")
        .annotate(count=Count("id"), total=Sum("price"))
        .order_by("start")
    )
    formats = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
    return [
        {
            "date": row["start"].strftime(formats[period]),
            "count": row["count"],
            "total_value": _number(row["total"]),
        }
        for row in rows
    ]


def created_since(user: User, *, days: int) -> int:
    return listings_for_user(user).filter(created_at__gte=timezone.now() - timedelta(days=days)).count()


def duplicate_title_stats(user: User) -> dict[str, int]:
    """``{total_listings, unique_titles, potential_duplicates}``; titles compared without case."""
    totals = listings_for_user(user).aggregate(total=Count("id"), unique=Count(Lower("title"), distinct=True))
    return {
        "total_listings": totals["total"],
        "unique_titles": totals["unique"],
        "potential_duplicates": totals["total"] - totals["unique"],
    }


def duplicate_listings(user: User) -> QuerySet[Listing]:
    """Every listing whose title (without case) another of the user's listings has and
    that is not the most recently updated of them: what a duplicate clean-up removes."""
    ranked = listings_for_user(user).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[Lower("title")],
            order_by=[F("updated_at").desc(), F("created_at").desc(), F("id").desc()],
        )
    )
    return listings_for_user(user).filter(pk__in=ranked.filter(rank__gt=1).values("pk"))
