"""Checks on API input that hold for every endpoint, before any service sees it."""

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ValidationError


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
