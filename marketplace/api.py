"""The API's error shape: ``{"detail": ..., "errors": [{"index"?, "field", "message"}]}``."""

from typing import Any

from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import InvalidInput
from marketplace.input import InvalidParameter


class ErrorItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, help_text="Position of the item in a bulk request.")
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


def _flatten(detail: Any, field: str = "non_field_errors", index: int | None = None) -> list[dict]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            errors += _flatten(value, key if field == "non_field_errors" else f"{field}.{key}", index)
        return errors
    if isinstance(detail, list):
        if detail and all(isinstance(item, dict) for item in detail):
            # A list of per-item error objects (many=True).
            errors = []
            for position, item in enumerate(detail):
                errors += _flatten(item, "non_field_errors", position)
            return errors
        errors = []
        for item in detail:
            errors += _flatten(item, field, index)
        return errors
    error = {"field": field, "message": str(detail)}
    if index is not None:
        error = {"index": index, **error}
    return [error]


def listing_invalid_response(exc: InvalidInput, index: int | None = None) -> Response:
    errors = []
    for error in exc.errors:
        position = error.index if error.index is not None else index
        errors.append(
            {
                **({"index": position} if position is not None else {}),
                "field": error.field,
                "message": error.message,
            }
        )
    return Response({"detail": "Invalid listing.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return listing_invalid_response(exc)
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
