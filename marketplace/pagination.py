"""Keyset ("cursor") pagination for API lists of any length and any ordering.

Why keyset and not page numbers: ``OFFSET 99950`` makes the database walk and
throw away 99,950 rows, so the last page of a 100,000-row list costs ~100x the
first. A cursor holds the sort values of the row a page ends on; the next page
is "rows after these values", which an index answers directly, so every page
(first, last, or the 2,000th) reads only ``page_size`` rows. The last page is
the first page of the reversed ordering. Orderings always end with ``id`` (see
``listings.selectors.ordering_from``) so the sort is total and no row is skipped
or repeated. The trade-off: no "jump to page 1,234"; the list offers first,
last, next and previous links, and ``count`` for "N listings".

Counting a filtered 100,000-row list costs more than reading a page, so the
count comes with the first page (no cursor) and on cursor pages only when asked
for with ``count=true``; a client keeps the number while it pages.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from marketplace.input import int_parameter

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class _Cursor:
    direction: str  # "after", "before" or "last"
    key: list[Any]


def _encode(cursor: _Cursor) -> str:
    raw = json.dumps([cursor.direction, cursor.key], default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(value: str, queryset: QuerySet, ordering: Sequence[str]) -> _Cursor:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        direction, key = json.loads(raw)
        if direction not in ("after", "before", "last") or not isinstance(key, list):
            raise ValueError(direction)
        if direction != "last":
            if len(key) != len(ordering):
                raise ValueError(key)
            key = [
                queryset.model._meta.get_field(name.lstrip("-")).to_python(item)
                for name, item in zip(ordering, key, strict=True)
            ]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": "This cursor is not valid for this list."}) from exc
    except Exception as exc:  # a field's to_python raises django's ValidationError
        raise ValidationError({"cursor": "This cursor is not valid for this list."}) from exc
    return _Cursor(direction, key)


def _reverse(ordering: Sequence[str]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


def _beyond(ordering: Sequence[str], key: Sequence[Any]) -> Q:
    """Rows that come after ``key`` in ``ordering``. The leading column's bound is
    also stated on its own (``a >= x``) so the database can start an index range
    scan there instead of filtering from the top."""
    names = [name.lstrip("-") for name in ordering]
    operators = ["lt" if name.startswith("-") else "gt" for name in ordering]
    after = Q()
    for position in range(len(names)):
        step = Q(**{f"{names[position]}__{operators[position]}": key[position]})
        for earlier in range(position):
            step &= Q(**{names[earlier]: key[earlier]})
        after |= step
    return Q(**{f"{names[0]}__{operators[0]}e": key[0]}) & after


def _wants_count(request: Request, *, default: bool) -> bool:
    value = request.query_params.get("count", "").lower()
    if value in ("", "default"):
        return default
    if value not in ("true", "false", "1", "0"):
        raise ValidationError({"count": ["Use true or false."]})
    return value in ("true", "1")


def page_size_from(request: Request) -> int:
    return int_parameter(
        request.query_params.get("page_size"),
        name="page_size",
        default=DEFAULT_PAGE_SIZE,
        minimum=1,
        maximum=MAX_PAGE_SIZE,
    )


def keyset_page(
    request: Request,
    queryset: QuerySet,
    ordering: Sequence[str],
    *,
    columns: Sequence[str],
    to_json: Callable[[dict[str, Any]], dict[str, Any]],
    count_rows: Callable[[QuerySet], int] | None = None,
) -> dict[str, Any]:
    """One page of ``queryset.values(*columns)`` sorted by ``ordering``:
    ``{count, first, last, next, previous, results}``; ``count_rows`` counts the
    queryset when the caller knows a cheaper way (a cached count)."""
    size = page_size_from(request)
    value = request.query_params.get("cursor")
    cursor = _decode(value, queryset, ordering) if value else None
    count = _wants_count(request, default=cursor is None)
    sort_names = [name.lstrip("-") for name in ordering]
    fetch = list(dict.fromkeys([*columns, *sort_names]))
    if cursor is None:
        rows = list(queryset.order_by(*ordering).values(*fetch)[: size + 1])
        more_after, more_before = len(rows) > size, False
        rows = rows[:size]
    elif cursor.direction == "after":
        rows = list(
            queryset.filter(_beyond(ordering, cursor.key)).order_by(*ordering).values(*fetch)[: size + 1]
        )
        more_after, more_before = len(rows) > size, True
        rows = rows[:size]
    else:
        reverse = _reverse(ordering)
        narrowed = queryset if cursor.direction == "last" else queryset.filter(_beyond(reverse, cursor.key))
        rows = list(narrowed.order_by(*reverse).values(*fetch)[: size + 1])
        more_before, more_after = len(rows) > size, cursor.direction == "before"
        rows = rows[:size][::-1]

    def link(direction: str, row: dict[str, Any] | None) -> str:
        key = [row[name] for name in sort_names] if row is not None else []
        return replace_query_param(request.build_absolute_uri(), "cursor", _encode(_Cursor(direction, key)))

    return {
        "count": (count_rows or QuerySet.count)(queryset.order_by()) if count else None,
        "first": remove_query_param(request.build_absolute_uri(), "cursor"),
        "last": link("last", None),
        "next": link("after", rows[-1]) if more_after and rows else None,
        "previous": link("before", rows[0]) if more_before and rows else None,
        "results": [to_json(row) for row in rows],
    }


class KeysetPageSerializer(serializers.Serializer):
    """The envelope of a ``keyset_page``; a subclass adds ``results``."""

    count = serializers.IntegerField(allow_null=True, help_text="On the first page, or with count=true.")
    first = serializers.URLField()
    last = serializers.URLField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
