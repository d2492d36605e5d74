"""``/health``, ``/`` and ``/api/system/*`` of the Flask system."""

from django.conf import settings
from django.shortcuts import redirect
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from flask_api.base import FlaskView
from marketplace import health

STATUS_WORDS = {"ok": "healthy", "degraded": "degraded", "down": "unhealthy"}
INDEX_ENDPOINTS = {
    "health": "/health",
    "auth": "/api/auth",
    "listings": "/api/listings",
    "templates": "/api/templates",
    "ocr": "/api/ocr",
    "export": "/api/export",
    "admin": "/api/admin",
    "analytics": "/api/analytics",
    "audit": "/api/audit/logs",
    "backup": "/api/backup",
    "users": "/api/users",
    "file_history": "/api/file-history",
    "native_api": "/api/docs/",
}


class OpenView(FlaskView):
    authentication_classes = []
    permission_classes = [AllowAny]


class HealthView(OpenView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "FlaskHealth",
                fields={"status": serializers.CharField(), "environment": serializers.CharField()},
            ),
            503: inline_serializer(
                "FlaskHealthDown",
                fields={"status": serializers.CharField(), "environment": serializers.CharField()},
            ),
        }
    )
    def get(self, request: Request) -> Response:
        """The same checks as ``/api/health/``, in Flask's words."""
        database = health.database_status()
        overall = "ok" if database["ok"] and health.cache_status()["ok"] else "degraded"
        if not database["ok"]:
            overall = "down"
        return Response(
            {
                "status": STATUS_WORDS[overall],
                "environment": "development" if settings.DEBUG else "production",
            },
            status=status.HTTP_200_OK if database["ok"] else status.HTTP_503_SERVICE_UNAVAILABLE,
        )


def _wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


class IndexView(OpenView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskIndex",
            fields={
                "message": serializers.CharField(),
                "version": serializers.CharField(),
                "endpoints": serializers.DictField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request: Request):
        """A browser goes to the listings grid; an API client gets the index."""
        if _wants_html(request):
            return redirect("listings:grid")
        return Response(
            {
                "message": "Marketplace Bulk Editor API",
                "version": settings.APP_VERSION,
                "endpoints": INDEX_ENDPOINTS,
            }
        )


class StartScraperView(OpenView):
    @extend_schema(
        request=None,
        responses={
            501: inline_serializer(
                "FlaskScraperAbsent",
                fields={"success": serializers.BooleanField(), "message": serializers.CharField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        return Response(
            {
                "success": False,
                "message": "There is no scraper backend to start: this system has none. "
                "Import listings from a spreadsheet (/api/imports/) or read a catalog with OCR "
                "(/api/ocr/upload).",
                "error": "Not implemented",
            },
            status=status.HTTP_501_NOT_IMPLEMENTED,
        )


class SystemHealthView(OpenView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskSystemHealth",
            fields={"success": serializers.BooleanField(), "status": serializers.CharField()},
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"success": True, "status": "healthy"})
