"""Checks on API input that hold for every endpoint, before any service sees it."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


def storable(value: Any, field: str = "non_field_errors") -> Any:
    """``value`` if every text in it can be stored: JSON allows NUL characters and
    unpaired surrogates, which PostgreSQL text and UTF-8 cannot hold."""
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and _has_surrogate(value)):
            raise ValidationError({field: ["Text cannot contain NUL characters or unpaired surrogates."]})
    elif isinstance(value, Mapping):
        for key, item in value.items():
            storable(key, field)
            storable(item, key if field == "non_field_errors" else f"{field}.{key}")
    elif isinstance(value, list):
        for item in value:
            storable(item, field)
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def request_body(request: Request) -> dict[str, Any]:
    """The body as a dict of storable values; anything but a JSON object is a 400."""
    data = request.data
    if hasattr(data, "dict"):  # a form post from the browsable API
        data = data.dict()
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    return storable(dict(data))


def valid_body(
    serializer_class: type[serializers.Serializer], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    """The request body as ``serializer_class`` validates it (a 400 otherwise). The
    serializer gets the request in its context, to scope what it looks up to the user."""
    serializer = serializer_class(data=request_body(request), context={"request": request}, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
