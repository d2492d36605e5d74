"""Rules for request input that hold at every door (HTML forms, HTMX, the JSON API),
checked before a view or a service sees a value.

Why they are needed: PostgreSQL text cannot hold NUL (U+0000) and UTF-8 cannot hold an
unpaired surrogate, yet URL and JSON encoding carry both, and the database answers them
with an exception, not a row. ``str.isdigit()`` says yes to "²", which ``int()`` refuses;
``int()`` reads numbers past PostgreSQL's bigint and refuses more than 4,300 digits.
The JSON decoder recurses once per nesting level, so ~1,000 ``[`` raise RecursionError.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest

# The largest value of a bigint column (every id here); bigger ones make the database raise.
MAX_BIGINT = 2**63 - 1
# ASCII digits only: ``\d`` and ``str.isdigit()`` also accept "٣" and "²".
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")


class InvalidParameter(BadRequest):
    """A query or form parameter no view can use; answered with a 400 naming it
    (see ``marketplace.middleware`` and ``marketplace.api``)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = printable(name)
        self.message = message
        super().__init__(f"{self.name}: {message}")


class UnsafeJSON(ValueError):
    """JSON that parsed but cannot be used: nested too deep (``field`` is None) or
    holding text that cannot be stored (``field`` names where)."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def printable(text: str) -> str:
    """``text`` safe to show back: NUL written as ``\\x00``."""
    return text.replace("\x00", "\\x00")


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "Text cannot contain NUL characters."
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "Text cannot contain unpaired surrogates."
    return None


def whole_number(value: Any, *, minimum: int = 0, maximum: int = MAX_BIGINT) -> int | None:
    """``value`` as an int when it is one, or ASCII digits, within the range; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def int_parameter(
    value: str | None, *, name: str, default: int | None = None, minimum: int = 0, maximum: int = MAX_BIGINT
) -> int | None:
    """A whole-number query or form parameter; missing or empty gives ``default``,
    anything else that is not a number in range raises ``InvalidParameter``."""
    if value in (None, ""):
        return default
    number = whole_number(value, minimum=minimum, maximum=maximum)
    if number is None:
        raise InvalidParameter(name, f"Use a whole number from {minimum:,} to {maximum:,}.")
    return number


def check_json(data: Any, *, max_depth: int) -> Any:
    """``data`` (parsed JSON) if it nests at most ``max_depth`` containers deep and
    every key and text in it can be stored; else ``UnsafeJSON``. Walks without
    recursion, so the check itself cannot overflow the stack."""
    pending: list[tuple[Any, str, int]] = [(data, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            if reason := unstorable_reason(value):
                raise UnsafeJSON(path or "non_field_errors", reason)
        elif isinstance(value, (Mapping, list)):
            if depth > max_depth:
                raise UnsafeJSON(None, f"JSON nested more than {max_depth} levels deep.")
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (reason := unstorable_reason(key)):
                    raise UnsafeJSON(printable(where), reason)
                pending.append((item, where, depth + 1))
    return data
