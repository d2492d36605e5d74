"""``/api/admin/*`` (the seller's own duplicate titles) and ``/api/analytics/*``,
from the SQL aggregates in ``listings.insights``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from exports.writers import yes_no
from flask_api.base import FlaskView, message_serializer
from listings import insights
from listings.selectors import listings_for_user
from listings.services.bulk import listings_bulk_delete

MAX_BINS = 100
MAX_DAYS = 365

DUPLICATE_STATS = inline_serializer(
    "FlaskDuplicateStats",
    fields={
        "total_listings": serializers.IntegerField(),
        "unique_titles": serializers.IntegerField(),
        "potential_duplicates": serializers.IntegerField(),
    },
)


class DuplicatesCleanupView(FlaskView):
    @extend_schema(
        request=None,
        responses=message_serializer(
            "FlaskDuplicatesRemoved", removed=serializers.IntegerField(), remaining=serializers.IntegerField()
        ),
    )
    def post(self, request: Request) -> Response:
        """Delete every listing whose title (without case) a more recently updated
        listing has: one undoable step."""
        removed = listings_bulk_delete(listings=insights.duplicate_listings(request.user), actor=request.user)
        remaining = listings_for_user(request.user).count()
        message = (
            f"Successfully removed {removed} duplicate listings" if removed else "No duplicate listings found"
        )
        return Response({"message": message, "removed": removed, "remaining": remaining})


class StatsView(FlaskView):
    @extend_schema(responses=DUPLICATE_STATS)
    def get(self, request: Request) -> Response:
        return Response(insights.duplicate_title_stats(request.user))


class SummaryView(FlaskView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """``{total_listings, average_price, total_value, price_range, condition_counts,
        category_counts, shipping_counts}``."""
        user = request.user
        categories = insights.counts_by(user, "category")
        shipping = insights.counts_by(user, "offer_shipping")
        return Response(
            {
                **insights.price_summary(user),
                "condition_counts": insights.counts_by(user, "condition"),
                "category_counts": {name: count for name, count in categories.items() if name},
                "shipping_counts": {yes_no(flag): count for flag, count in shipping.items()},
            }
        )


def _bounded(request: Request, name: str, default: int, most: int) -> int:
    value = request.query_params.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise ValidationError({name: [f"A whole number from 1 to {most}."]})
    return int(value)


class PriceDistributionView(FlaskView):
    @extend_schema(
        parameters=[OpenApiParameter("bins", int, description="Default 10, at most 100.")],
        responses=inline_serializer(
            "FlaskPriceDistribution",
            fields={
                "bins": serializers.ListField(child=serializers.DictField()),
                "statistics": serializers.DictField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(insights.price_histogram(request.user, bins=_bounded(request, "bins", 10, MAX_BINS)))


class TimeSeriesView(FlaskView):
    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=list(insights.PERIODS)),
            OpenApiParameter("days", int, description="Default 30, at most 365."),
        ],
        responses=inline_serializer(
            "FlaskTimeSeries",
            fields={
                "data": serializers.ListField(child=serializers.DictField()),
                "period": serializers.CharField(),
                "days_back": serializers.IntegerField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", "day")
        if period not in insights.PERIODS:
            raise ValidationError({"period": [f"Use one of: {', '.join(insights.PERIODS)}."]})
        # Flask capped days at 365 rather than refusing more.
        days = min(_bounded(request, "days", 30, 10**6), MAX_DAYS)
        data = insights.created_per_period(request.user, period=period, days=days)
        return Response({"data": data, "period": period, "days_back": days})


class TrendsView(FlaskView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskTrends",
            fields={
                "top_categories": serializers.ListField(child=serializers.DictField()),
                "top_conditions": serializers.ListField(child=serializers.DictField()),
                "recent_activity": serializers.DictField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            {
                "top_categories": insights.top_values(user, "category", limit=10),
                "top_conditions": insights.top_values(user, "condition"),
                "recent_activity": {"last_7_days": insights.created_since(user, days=7)},
            }
        )
