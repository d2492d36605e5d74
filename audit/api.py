"""``GET /api/audit/``: the requesting user's own audit entries."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.selectors import audit_entries_by
from audit.serializers import AUDIT_COLUMNS, AuditEntrySerializer, AuditFilterSerializer
from marketplace.api import ErrorSerializer
from marketplace.pagination import KeysetPageSerializer, keyset_page

AUDIT_ORDERING = ("-created_at", "-id")


class AuditPageSerializer(KeysetPageSerializer):
    results = AuditEntrySerializer(many=True)


class AuditListView(APIView):
    @extend_schema(
        parameters=[
            AuditFilterSerializer,
            OpenApiParameter("page_size", int, description="1 to 500, default 50."),
            OpenApiParameter("cursor", str),
            OpenApiParameter(
                "count", bool, description="Count the matches (default: only on the first page)."
            ),
        ],
        responses={200: AuditPageSerializer, 400: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request) -> Response:
        """The user's own audit entries, newest first (the history page's filters)."""
        filters = AuditFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        entries = audit_entries_by(request.user, filters.validated_data)
        return Response(keyset_page(request, entries, AUDIT_ORDERING, columns=AUDIT_COLUMNS, to_json=dict))
