"""JSON text of large writes (an import's staged rows, the rows and audit entries a big
write copies into PostgreSQL), where encoding every value was a large part of the time.

orjson writes it in about a tenth of the standard library's time. It refuses a few
things that ``json`` writes and PostgreSQL's jsonb stores: integers past 64 bits and
nesting past 254 levels. A seller's ``extra`` columns can hold both. Those values are
written by the standard library instead, so every value gets the same text whichever
encoder wrote it (jsonb normalises the spacing).
"""

import json
from collections.abc import Callable
from typing import Any

import orjson


def json_bytes(value: Any, *, default: Callable[[Any], Any] | None = None) -> bytes:
    """``value`` as UTF-8 JSON, as ``json.dumps(value, default=default,
    ensure_ascii=False)`` writes it. ``default`` gets what JSON has no type for, dates
    included (orjson would write those itself)."""
    try:
        return orjson.dumps(value, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except orjson.JSONEncodeError:
        # Also where ``default`` refused a value: json then raises the same TypeError.
        return json.dumps(value, default=default, ensure_ascii=False).encode()
