"""The API's error shape: ``{"detail": ..., "errors": [{"index"?, "field", "message"}]}``.

The one place where errors become API answers: ``InvalidInput`` from any service,
DRF's own validation errors, and every other API exception."""

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import NON_FIELD, InvalidInput
from marketplace.input import InvalidParameter


class ErrorItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, help_text="Position of the item in a bulk request.")
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


def _flatten(detail: Any, field: str = NON_FIELD, index: int | None = None) -> list[dict]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            # A nested serializer's own errors belong to the field that holds it.
            nested = field if key == NON_FIELD else f"{field}.{key}"
            errors += _flatten(value, key if field == NON_FIELD else nested, index)
        return errors
    if isinstance(detail, list):
        if detail and all(isinstance(item, dict) for item in detail):
            # A list of per-item error objects (many=True).
            errors = []
            for position, item in enumerate(detail):
                errors += _flatten(item, NON_FIELD, position)
            return errors
        errors = []
        for item in detail:
            errors += _flatten(item, field, index)
        return errors
    error = {"field": field, "message": str(detail)}
    if index is not None:
        error = {"index": index, **error}
    return [error]


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        detail = "The request body is too large."
        return Response({"detail": detail, "errors": []}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        # Too many form fields or files, a malformed multipart body: Django's own
        # limits, which would otherwise answer with an HTML page.
        detail = "The request body is malformed or has too many fields; send JSON."
        return Response({"detail": detail, "errors": []}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidInput):
        errors = exc.error_items()
        return Response({"detail": exc.detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidParameter):
        exc = ValidationError({exc.name: [exc.message]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"detail": "Invalid input.", "errors": _flatten(exc.detail)}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": response.data["detail"], "errors": response.data.get("errors", [])}
    return response
