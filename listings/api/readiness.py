"""``GET /api/listings/readiness/?marketplace=…``: how many of the filtered listings a
marketplace would take as they are, and why the others not."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from listings.api.base import ERRORS
from listings.api.listings import LIST_PARAMETERS
from listings.readiness import MARKETPLACES, readiness
from listings.selectors import FilterError, listings_filtered

ReadinessSerializer = inline_serializer(
    "Readiness",
    fields={
        "marketplace": serializers.ChoiceField(choices=MARKETPLACES),
        "ready": serializers.IntegerField(),
        "not_ready": serializers.IntegerField(),
        "reasons": inline_serializer(
            "ReadinessReason",
            fields={"reason": serializers.CharField(), "count": serializers.IntegerField()},
            many=True,
        ),
    },
)


class ReadinessView(APIView):
    @extend_schema(
        operation_id="listings_readiness",
        parameters=[
            OpenApiParameter("marketplace", str, enum=list(MARKETPLACES), required=True),
            *(
                parameter
                for parameter in LIST_PARAMETERS
                if parameter.name
                in {
                    "q",
                    "condition",
                    "category",
                    "offer_shipping",
                    "source",
                    "price_min",
                    "price_max",
                    "has_warnings",
                }
            ),
        ],
        responses={200: ReadinessSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Ready and not-ready counts of the listings the filters select (the grid's
        filters), and a count per reason (a listing can fail several)."""
        marketplace = request.query_params.get("marketplace", "")
        if marketplace not in MARKETPLACES:
            raise ValidationError({"marketplace": [f"Use one of: {', '.join(MARKETPLACES)}."]})
        params = request.query_params.copy()
        del params["marketplace"]
        try:
            listings = listings_filtered(request.user, params)
        except FilterError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(
            {"marketplace": marketplace, **readiness(listings, marketplace, request.user).as_dict()}
        )
