"""The API's request parsers. Every body, on every endpoint (anonymous log-in
included), is checked twice here, once for all views:

- JSON nested past ``API_JSON_MAX_DEPTH`` or holding text the database cannot store is
  refused (the checks of ``marketplace.input``);
- fields the operation does not declare are refused with their names. Every API
  operation documents its request body (``@extend_schema(request=...)``, or a generic
  view's serializer); that declaration is also the list of fields it accepts, where DRF
  would drop the others silently and the client would believe its value was stored.
  JSON, form and multipart bodies, top level and nested objects.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError

from marketplace.input import UnsafeJSON, check_json

# Added by the browsable API's forms, never a field of ours.
_FORM_NOISE = frozenset({"csrfmiddlewaretoken", "_content_type", "_content"})


def _declared_serializer(view, request) -> Any:
    """The request serializer the OpenAPI schema shows for this view and method, or
    ``None`` when the operation declares none (nothing is checked then)."""
    handler = getattr(view, request.method.lower(), None)
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    schema = schema_class() if schema_class is not None else getattr(view, "schema", None)
    if schema is None or not hasattr(schema, "get_request_serializer"):
        return None
    schema.view, schema.method, schema.path = view, request.method, request.path
    try:
        declared = schema.get_request_serializer()
    except Exception:  # a view the schema cannot describe: leave its body alone
        return None
    if isinstance(declared, Mapping):  # {"multipart/form-data": Serializer}
        declared = next(iter(declared.values()), None)
    if isinstance(declared, type) and issubclass(declared, serializers.BaseSerializer):
        declared = declared()
    return declared


def _unknown(data: Any, serializer: Any, prefix: str = "") -> list[str]:
    if isinstance(serializer, serializers.ListSerializer):
        if isinstance(data, list):
            return [
                name
                for index, item in enumerate(data)
                for name in _unknown(item, serializer.child, f"{prefix}{index}.")
            ]
        return []
    if not isinstance(serializer, serializers.Serializer) or not isinstance(data, Mapping):
        return []
    # Read-only fields are known (a client may send back what it read); they are ignored.
    fields = serializer.fields
    unknown = [f"{prefix}{name}" for name in data if name not in fields and name not in _FORM_NOISE]
    for name, field in fields.items():
        if name in data and not isinstance(data, QueryDict):
            unknown += _unknown(data[name], field, f"{prefix}{name}.")
    return unknown


def refuse_unknown_fields(data: Any, parser_context: Mapping[str, Any] | None) -> None:
    view = (parser_context or {}).get("view")
    request = (parser_context or {}).get("request")
    if view is None or request is None:
        return
    declared = _declared_serializer(view, request)
    if declared is None:
        return
    if isinstance(data, list) and isinstance(declared, serializers.Serializer):
        # A bare array where an object with one list field is declared: check its items.
        lists = [field for field in declared.fields.values() if isinstance(field, serializers.ListSerializer)]
        declared = lists[0] if len(lists) == 1 else declared
    names = _unknown(data, declared)
    if names:
        raise ValidationError({name: ["Unknown field: this operation does not accept it."] for name in names})


def _with_files(result: Any) -> Any:
    """A multipart body's fields and file names together, as the serializer sees them."""
    if isinstance(result, parsers.DataAndFiles):
        merged = QueryDict(mutable=True)
        merged.update(result.data)
        for name in result.files:
            merged.setlist(name, result.files.getlist(name))
        return merged
    return result


def _too_deep() -> ParseError:
    return ParseError(f"JSON parse error - nested more than {settings.API_JSON_MAX_DEPTH} levels deep.")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise _too_deep() from exc
        try:
            data = check_json(data, max_depth=settings.API_JSON_MAX_DEPTH)
        except UnsafeJSON as exc:
            if exc.field is None:
                raise _too_deep() from exc
            raise ValidationError({exc.field: [exc.message]}) from exc
        refuse_unknown_fields(data, parser_context)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unknown_fields(data, parser_context)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_unknown_fields(_with_files(result), parser_context)
        return result
