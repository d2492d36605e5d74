"""``/api/audit/logs*``: the user's own audit entries, Flask's names and pages."""

from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import audit_entries_for
from audit.selectors import audit_actions_by
from flask_api.base import FlaskView, page, page_serializer

# Flask's resource types and ours.
RESOURCE_TYPES = {
    "listing": "listings.listing",
    "template": "listing_templates.listingtemplate",
    "user": "accounts.user",
    "ocr_scan": "ocr.scan",
    "import": "imports.import",
}
COLUMNS = (
    "id",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "changes",
    "ip",
    "user_agent",
    "request_method",
    "request_path",
    "created_at",
)


def log_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["actor_id"],
        "action": row["action"],
        "resource_type": row["object_type"],
        "resource_id": row["object_id"] or None,
        "ip_address": row["ip"],
        "user_agent": row["user_agent"],
        "request_method": row["request_method"],
        "request_path": row["request_path"],
        "metadata": row["changes"],
        "created_at": row["created_at"],
    }


class FlaskLogSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField()
    resource_type = serializers.CharField(allow_blank=True)
    resource_id = serializers.CharField(allow_null=True)
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)
    request_method = serializers.CharField(allow_blank=True)
    request_path = serializers.CharField(allow_blank=True)
    metadata = serializers.JSONField()
    created_at = serializers.DateTimeField()


class LogListView(FlaskView):
    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("per_page", int, description="Default 50, at most 100."),
            OpenApiParameter("action", str, description="Exact action, e.g. listing.update."),
            OpenApiParameter("resource_type", str, description="listing, template, user, ocr_scan or ours."),
            OpenApiParameter("date_from", str, description="ISO date or datetime, inclusive."),
            OpenApiParameter("date_to", str, description="ISO date or datetime, inclusive."),
        ],
        responses=page_serializer("FlaskLogPage", "logs", FlaskLogSerializer(many=True)),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.dict()  # NUL refused by RequestInputMiddleware
        if resource_type := params.pop("resource_type", None):
            params["object_type"] = RESOURCE_TYPES.get(resource_type, resource_type)
        entries = audit_entries_for(request.user, params).order_by("-created_at", "-id").values(*COLUMNS)
        return Response(page(request, entries, log_json, key="logs"))


class LogActionsView(FlaskView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskLogActions", fields={"actions": serializers.ListField(child=serializers.CharField())}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"actions": audit_actions_by(request.user)})


class LogStatsView(FlaskView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskLogStats",
            fields={
                "total_logs": serializers.IntegerField(),
                "action_counts": serializers.DictField(child=serializers.IntegerField()),
                "recent_activity": serializers.IntegerField(help_text="Entries in the last 24 hours."),
            },
        )
    )
    def get(self, request: Request) -> Response:
        entries = audit_entries_for(request.user, {})
        counts = entries.order_by().values("action").annotate(count=Count("id")).order_by("action")
        return Response(
            {
                "total_logs": entries.count(),
                "action_counts": {row["action"]: row["count"] for row in counts},
                "recent_activity": entries.filter(
                    created_at__gte=timezone.now() - timedelta(hours=24)
                ).count(),
            }
        )
