"""``GET /api/insights/``: the insights page's figures as JSON."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.selectors import insights_for
from insights.serializers import InsightsSerializer


class InsightsView(APIView):
    @extend_schema(operation_id="insights_retrieve", responses={200: InsightsSerializer})
    def get(self, request: Request) -> Response:
        """The user's figures: counts by status, condition and top category, the
        value of ready and listed stock, the price histogram, warnings by kind,
        Facebook readiness, stale listings and sales per week. Each
        figure's ``query`` is the listing filter (``GET /api/listings/?{query}``,
        the grid's ``/listings/?{query}``) for exactly the listings it counts."""
        return Response(InsightsSerializer(insights_for(request.user)).data)
