"""``/api/templates*`` as the Flask system answered: ``template_data`` is our
``defaults``; ``/use`` counts a use through ``template_use_record``."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from flask_api.base import FlaskView, body, fetch, message_serializer
from listing_templates.models import ListingTemplate
from listing_templates.selectors import template_get_for_user, templates_visible_to
from listing_templates.serializers import TEMPLATE_COLUMNS
from listing_templates.services import template_create, template_delete, template_update, template_use_record
from listings.validation import parse_bool
from marketplace.errors import InvalidInput

NOT_FOUND = "Template not found"


def template_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["owner_id"],
        "name": row["name"],
        "description": row["description"],
        "template_data": row["defaults"],
        "is_public": row["is_public"],
        "use_count": row["use_count"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def one_template_json(template: ListingTemplate) -> dict[str, Any]:
    return template_json(ListingTemplate.objects.values(*TEMPLATE_COLUMNS).get(pk=template.pk))


class FlaskTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    template_data = serializers.DictField(help_text="Listing field: default value.")
    is_public = serializers.BooleanField()
    use_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FlaskTemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    template_data = serializers.DictField(
        help_text='Listing field: default value, e.g. {"condition": "New"}.'
    )
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    is_public = serializers.BooleanField(required=False)


TEMPLATE_MESSAGE = message_serializer("FlaskTemplateMessage", template=FlaskTemplateSerializer())


def _native(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Flask's names to ours, with the checks the native API makes on types."""
    if not partial:
        for name in ("name", "template_data"):
            if name not in data:
                raise ValidationError({name: ["Missing data for required field."]})
    native = {name: data[name] for name in ("name", "description", "is_public") if name in data}
    if "template_data" in data:
        native["defaults"] = data["template_data"]
    if native.get("description") is None and "description" in native:
        native["description"] = ""
    for name in ("name", "description"):
        if name in native and not isinstance(native[name], str):
            raise ValidationError({name: ["Not a valid string."]})
    if "is_public" in native:
        try:
            native["is_public"] = parse_bool(native["is_public"])
        except ValueError as exc:
            raise ValidationError({"is_public": ["Not a valid boolean."]}) from exc
    return native


def _errors(exc: InvalidInput) -> ValidationError:
    """The template rules' errors under Flask's names (``template_data`` for our defaults)."""
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        field = {"defaults": "template_data", "non_field_errors": "_schema"}.get(error.field, error.field)
        details.setdefault(field, []).append(error.message)
    return ValidationError(details)


class TemplateListView(FlaskView):
    @extend_schema(
        operation_id="flask_templates_list",
        responses=inline_serializer(
            "FlaskTemplateList", fields={"templates": FlaskTemplateSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        """The user's templates and everyone's public ones."""
        rows = templates_visible_to(request.user).values(*TEMPLATE_COLUMNS)
        return Response({"templates": [template_json(row) for row in rows]})

    @extend_schema(request=FlaskTemplateInputSerializer, responses={201: TEMPLATE_MESSAGE})
    def post(self, request: Request) -> Response:
        data = _native(body(request), partial=False)
        try:
            template = template_create(
                owner=request.user,
                name=data["name"],
                defaults=data["defaults"],
                description=data.get("description", ""),
                is_public=data.get("is_public", False),
            )
        except InvalidInput as exc:
            raise _errors(exc) from exc
        return Response(
            {"message": "Template created successfully", "template": one_template_json(template)},
            status=status.HTTP_201_CREATED,
        )


class TemplateDetailView(FlaskView):
    @extend_schema(responses=FlaskTemplateSerializer)
    def get(self, request: Request, template_id: str) -> Response:
        return Response(one_template_json(fetch(template_get_for_user, request.user, template_id, NOT_FOUND)))

    @extend_schema(request=FlaskTemplateInputSerializer(partial=True), responses=TEMPLATE_MESSAGE)
    def put(self, request: Request, template_id: str) -> Response:
        template = fetch(template_get_for_user, request.user, template_id, NOT_FOUND, writable=True)
        try:
            template = template_update(
                template=template, data=_native(body(request), partial=True), actor=request.user
            )
        except InvalidInput as exc:
            raise _errors(exc) from exc
        return Response({"message": "Template updated successfully", "template": one_template_json(template)})

    @extend_schema(responses=message_serializer("FlaskTemplateDeleted"))
    def delete(self, request: Request, template_id: str) -> Response:
        template = fetch(template_get_for_user, request.user, template_id, NOT_FOUND, writable=True)
        template_delete(template=template, actor=request.user)
        return Response({"message": "Template deleted successfully"})


class TemplateUseView(FlaskView):
    @extend_schema(request=None, responses=TEMPLATE_MESSAGE)
    def post(self, request: Request, template_id: str) -> Response:
        """Count one use of a template the user may use (theirs or public)."""
        template = fetch(template_get_for_user, request.user, template_id, NOT_FOUND)
        with transaction.atomic():  # template_use_record runs in its caller's transaction
            template_use_record(template=template, actor=request.user, details={"door": "flask_api.use"})
        return Response({"message": "Template use count updated", "template": one_template_json(template)})
