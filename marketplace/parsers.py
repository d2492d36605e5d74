"""The API's JSON parser: DRF's, plus the checks of ``marketplace.input`` on every body,
so no endpoint (anonymous log-in included) sees JSON nested past the limit or text
the database cannot store."""

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from marketplace.input import UnsafeJSON, check_json


def _too_deep() -> ParseError:
    return ParseError(f"JSON parse error - nested more than {settings.API_JSON_MAX_DEPTH} levels deep.")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise _too_deep() from exc
        try:
            return check_json(data, max_depth=settings.API_JSON_MAX_DEPTH)
        except UnsafeJSON as exc:
            if exc.field is None:
                raise _too_deep() from exc
            raise ValidationError({exc.field: [exc.message]}) from exc
