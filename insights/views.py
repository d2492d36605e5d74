"""The insights page: the seller's figures, each a link to the grid showing those listings."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from insights.charts import column_chart, row_chart
from insights.selectors import insights_for


def _week_label(figure: dict) -> str:
    return date_format(date.fromisoformat(figure["week"]), "j M")


def _price_label(figure: dict) -> str:
    return f"{Decimal(figure['min']):,.0f}"


@login_required
@require_GET
def insights(request):
    figures = insights_for(request.user)
    grid_url = reverse("listings:grid")
    charts = {
        "status": row_chart(figures["by_status"], grid_url=grid_url),
        "sold": column_chart(
            figures["sold_per_week"],
            grid_url=grid_url,
            value=lambda figure: f"{figure['count']:,}",
            short_label=_week_label,
        ),
        "condition": row_chart(figures["by_condition"], grid_url=grid_url),
        "categories": row_chart(figures["top_categories"], grid_url=grid_url),
        "warnings": row_chart(figures["warnings"]["by_kind"], grid_url=grid_url),
        "facebook": row_chart(figures["facebook"]["by_check"], grid_url=grid_url),
        "prices": column_chart(
            figures["price_histogram"]["bins"], grid_url=grid_url, short_label=_price_label
        ),
    }
    return render(
        request, "insights/insights.html", {"figures": figures, "charts": charts, "grid_url": grid_url}
    )
