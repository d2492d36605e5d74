"""What every Flask-compatible view shares: the ``{error, details}`` error shape,
``page``/``per_page`` pages, and ids taken as the opaque strings Flask clients send.

The views are adapters: they rename fields and reshape answers, and call the same
serializers, selectors and services as the native API, so every rule (validation,
ownership, audit, undo, rate limits) is the native one.
"""

import io
import math
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from marketplace import parsers
from marketplace.errors import InvalidInput
from marketplace.input import whole_number

MAX_PER_PAGE = 100
# Bigger ids cannot exist (bigint); Flask ids were UUID strings, which match nothing.
MAX_ID = 2**63 - 1


def _details(detail: Any) -> Any:
    """DRF's error detail as plain lists and dicts of strings (marshmallow's shape)."""
    if isinstance(detail, Mapping):
        return {str(key): _details(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_details(item) for item in detail]
    return str(detail)


def listing_invalid_details(exc: InvalidInput, prefix: str = "listings") -> dict[str, Any]:
    """``{field: [messages]}``, or ``{prefix: {index: {field: [messages]}}}`` for bulk items."""
    details: dict[str, Any] = {}
    for error in exc.errors:
        if error.index is None:
            details.setdefault(error.field, []).append(error.message)
        else:
            item = details.setdefault(prefix, {}).setdefault(str(error.index), {})
            item.setdefault(error.field, []).append(error.message)
    return details


def flask_error(message: str, status_code: int, details: Any = None, **extra: Any) -> Response:
    body = {"error": message, **({"details": details} if details is not None else {}), **extra}
    return Response(body, status=status_code)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Every error of a Flask-compatible view as Flask answered it: ``{error, details?}``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, InvalidInput):
        set_rollback()
        return flask_error("Validation failed", status.HTTP_400_BAD_REQUEST, listing_invalid_details(exc))
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        response = flask_error("Validation failed", exc.status_code, _details(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        response = flask_error("Rate limit exceeded", exc.status_code, str(exc.detail))
    else:
        response = flask_error(str(exc.detail), exc.status_code)
    for name, value in headers.items():
        response[name] = value
    return response


class CurlJSONParser(parsers.FormParser):
    """A JSON body sent as a form: ``curl -d '{...}'`` without ``-H "Content-Type:
    application/json"``, as several of the Flask system's documented examples do.
    A body that is not a JSON object or array is read as the form it says it is."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        text = raw.decode(encoding, errors="replace")
        if text.lstrip()[:1] in ("{", "["):
            return parsers.JSONParser().parse(io.BytesIO(raw), "application/json", parser_context)
        return parsers.FormParser().parse(io.BytesIO(raw), media_type, parser_context)


class FlaskView(APIView):
    """Base of the Flask-compatible views (tagged as such in the schema by path)."""

    parser_classes = [parsers.JSONParser, CurlJSONParser, parsers.MultiPartParser]

    def get_exception_handler(self):
        return exception_handler

    def get_authenticate_header(self, request) -> str:
        # A missing or bad token is a 401, as in Flask (DRF answers 403 without a scheme).
        return 'Bearer realm="api"'


def object_id(value: str, not_found: str) -> int:
    """A URL id as our integer key; anything else (a Flask UUID) is a 404."""
    number = whole_number(value, maximum=MAX_ID)
    if number is None:
        raise exceptions.NotFound(not_found)
    return number


def fetch(getter: Callable[..., Any], user, value: str, not_found: str, **kwargs: Any) -> Any:
    """``getter(user, id)`` (a native selector that 404s on what is not the user's),
    answering Flask's ``{"error": "<Thing> not found"}``."""
    try:
        return getter(user, object_id(value, not_found), **kwargs)
    except Http404 as exc:
        raise exceptions.NotFound(not_found) from exc


def body(request: Request) -> dict[str, Any]:
    """The JSON object sent; a missing body is an empty one."""
    data = request.data
    if hasattr(data, "dict"):
        data = data.dict()
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError({"_schema": ["Invalid input type: send a JSON object."]})
    # Parsed by marketplace.parsers, which refused NUL, unpaired surrogates and deep nesting.
    return dict(data)


def _whole_number(request: Request, name: str, default: int) -> int:
    # Flask's request.args.get(name, default, type=int): anything but digits is the default.
    value = request.query_params.get(name, "")
    number = whole_number(value, minimum=1, maximum=MAX_ID)
    return default if number is None else number


def page(
    request: Request,
    queryset: QuerySet,
    to_json: Callable[[Any], dict[str, Any]],
    *,
    key: str,
    default_per_page: int = 50,
    with_pages: bool = True,
) -> dict[str, Any]:
    """Flask-SQLAlchemy's ``paginate(page, per_page, error_out=False)``: ``{key, total,
    page, per_page, pages}``; ``per_page`` at most 100, a page past the end is empty."""
    number = _whole_number(request, "page", 1)
    per_page = min(_whole_number(request, "per_page", default_per_page), MAX_PER_PAGE)
    total = queryset.count()
    start = (number - 1) * per_page
    items = [to_json(item) for item in queryset[start : start + per_page]] if start < total else []
    result = {key: items, "total": total, "page": number, "per_page": per_page}
    if with_pages:
        result["pages"] = math.ceil(total / per_page) if total else 0
    return result


def page_serializer(name: str, key: str, item: Any, *, with_pages: bool = True) -> serializers.Serializer:
    """The OpenAPI shape of ``page(...)``."""
    from drf_spectacular.utils import inline_serializer

    fields = {
        key: serializers.ListField(child=item) if not isinstance(item, serializers.BaseSerializer) else item,
        "total": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "per_page": serializers.IntegerField(),
    }
    if with_pages:
        fields["pages"] = serializers.IntegerField()
    return inline_serializer(name, fields=fields)


def message_serializer(name: str, **fields: serializers.Field) -> serializers.Serializer:
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(name, fields={"message": serializers.CharField(), **fields})
