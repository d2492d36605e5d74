"""Reading an API request's JSON body, for every endpoint: an object, validated by
the operation's serializer (hostile text is refused earlier, by ``marketplace.input``);
and ``valid_input``, the HTML doors' way through the same serializer."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from marketplace.errors import FieldError, InvalidInput


def request_body(request: Request) -> dict[str, Any]:
    """The body as a dict; anything but a JSON object is a 400."""
    data = request.data
    if hasattr(data, "dict"):  # a form post from the browsable API
        data = data.dict()
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    return dict(data)


def valid_body(
    serializer_class: type[serializers.Serializer], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    """The request body as ``serializer_class`` validates it (a 400 otherwise). The
    serializer gets the request in its context, to scope what it looks up to the user."""
    serializer = serializer_class(data=request_body(request), context={"request": request}, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def valid_input(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """``data`` as ``serializer_class`` validates it, or ``InvalidInput`` with its
    messages (the HTML doors' way to the same rules the API applies)."""
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    errors = []
    for name, messages in serializer.errors.items():
        if isinstance(messages, dict):  # a list field: {index: [messages]}
            messages = [message for items in messages.values() for message in items]
        errors += [FieldError(name, str(message)) for message in messages]
    raise InvalidInput(errors)
