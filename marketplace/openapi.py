"""drf-spectacular hooks and the schema class."""

from drf_spectacular import openapi

ERROR_SCHEMA_NAME = "ApiError"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                # Imports add file, row and column; each may be null where it does not apply.
                "properties": {
                    "index": {"type": "integer", "nullable": True},
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
                "required": ["message"],
            },
        },
    },
    "required": ["detail"],
}
# What any endpoint may answer through marketplace.api.exception_handler, whatever
# its own view declares: bad input, no or bad credentials, not yours, rate limited.
COMMON_ERRORS = {
    "400": "Invalid input; `errors` names each field.",
    "401": "No or invalid credentials.",
    "403": "Not allowed.",
    "404": "No such object for this user.",
    "429": "Rate limited; see the Retry-After header.",
}


# Ids in URLs are matched by Django's <int:...> converter: digits only, and they must
# fit PostgreSQL's bigint.
PATH_ID_BOUNDS = {"minimum": 0, "maximum": 2**63 - 1}


def add_common_error_responses(result, generator, request, public):
    """Document the shared error shape on every operation that does not already, and
    the range of integer ids the URL patterns accept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    schemas[FLASK_ERROR_SCHEMA_NAME] = FLASK_ERROR_SCHEMA
    for path, path_item in result.get("paths", {}).items():
        name = FLASK_ERROR_SCHEMA_NAME if is_flask_path(path) else ERROR_SCHEMA_NAME
        reference = {"$ref": f"#/components/schemas/{name}"}
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"].update(PATH_ID_BOUNDS)
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return result


FLASK_TAG = "Flask-compatible"
FLASK_ERROR_SCHEMA_NAME = "FlaskError"
FLASK_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "details": {"description": "Per field: a list of messages (nested for bulk items)."},
    },
    "required": ["error"],
}


def is_flask_path(path: str) -> bool:
    """The Flask system's paths have no trailing slash (``/`` itself is its index);
    every native path ends with one."""
    return path == "/" or not path.endswith("/")


class AutoSchema(openapi.AutoSchema):
    """Tags the Flask-compatible operations and keeps their operation ids apart from
    the native ones, whose paths differ only by the trailing slash."""

    def get_tags(self) -> list[str]:
        if is_flask_path(self.path):
            return [FLASK_TAG]
        return super().get_tags()

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if is_flask_path(self.path) and not operation_id.startswith("flask_"):
            return f"flask_{operation_id}"
        return operation_id
