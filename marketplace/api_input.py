"""Reading an API request's JSON body, for every endpoint: an object, validated by
the operation's serializer (hostile text is refused earlier, by ``marketplace.input``)."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


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
