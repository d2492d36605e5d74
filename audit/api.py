"""``GET /api/audit/``: the requesting user's own audit entries."""

from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditEntry
from marketplace.api import ErrorSerializer
from marketplace.pagination import keyset_page

AUDIT_COLUMNS = ("id", "action", "object_type", "object_id", "changes", "batch", "created_at")
AUDIT_ORDERING = ("-created_at", "-id")


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    changes = serializers.DictField(help_text="field: [before, after]")
    batch = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()


class AuditPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="On the first page, or with count=true.")
    first = serializers.URLField()
    last = serializers.URLField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AuditEntrySerializer(many=True)


def _moment(name: str, value: str, *, end_of_day: bool) -> datetime:
    """An ISO date or datetime; a bare date means its start (or, for ``date_to``, its end)."""
    try:
        day = parse_date(value)
        moment = datetime.combine(day, time.max if end_of_day else time.min) if day else parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({name: [f"“{value}” is not a date such as 2026-01-31."]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def audit_entries_for(user, params) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(actor=user)
    if action := params.get("action"):
        entries = entries.filter(action=action)
    if object_type := params.get("object_type"):
        entries = entries.filter(object_type=object_type)
    if date_from := params.get("date_from"):
        entries = entries.filter(created_at__gte=_moment("date_from", date_from, end_of_day=False))
    if date_to := params.get("date_to"):
        entries = entries.filter(created_at__lte=_moment("date_to", date_to, end_of_day=True))
    return entries


class AuditListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, description="Exact action, e.g. listing.update."),
            OpenApiParameter("object_type", str, description="Exact object type, e.g. listings.listing."),
            OpenApiParameter("date_from", str, description="ISO date or datetime, inclusive."),
            OpenApiParameter("date_to", str, description="ISO date or datetime, inclusive."),
            OpenApiParameter("page_size", int, description="1 to 500, default 50."),
            OpenApiParameter("cursor", str),
            OpenApiParameter(
                "count", bool, description="Count the matches (default: only on the first page)."
            ),
        ],
        responses={200: AuditPageSerializer, 400: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request) -> Response:
        """The user's own audit entries, newest first."""
        entries = audit_entries_for(request.user, request.query_params)
        return Response(keyset_page(request, entries, AUDIT_ORDERING, columns=AUDIT_COLUMNS, to_json=dict))
