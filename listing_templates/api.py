"""The listing templates JSON API: list, create, read, change, delete and apply."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import IDEMPOTENCY_KEY, idempotent_api
from listing_templates.models import ListingTemplate
from listing_templates.selectors import template_get_for_user, templates_visible_to
from listing_templates.serializers import (
    TEMPLATE_COLUMNS,
    TemplateApplySerializer,
    TemplateInputSerializer,
    TemplateListSerializer,
    TemplateSerializer,
    template_json,
)
from listing_templates.services import template_apply, template_create, template_delete, template_update
from listings.api.base import ERRORS, ID
from listings.api.serializers import CountSerializer
from marketplace.api_input import valid_body


def _template_response(
    template: ListingTemplate, request: Request, status_code=status.HTTP_200_OK
) -> Response:
    row = ListingTemplate.objects.values(*TEMPLATE_COLUMNS).get(pk=template.pk)
    return Response(template_json(row, request.user.pk), status=status_code)


class TemplateListView(APIView):
    @extend_schema(operation_id="templates_list", responses={200: TemplateListSerializer})
    def get(self, request: Request) -> Response:
        """The user's templates and everyone's public ones."""
        rows = templates_visible_to(request.user).values(*TEMPLATE_COLUMNS)
        return Response({"results": [template_json(row, request.user.pk) for row in rows]})

    @extend_schema(request=TemplateInputSerializer, responses={201: TemplateSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = valid_body(TemplateInputSerializer, request)
        template = template_create(
            owner=request.user,
            name=data["name"],
            defaults=data.get("defaults", {}),
            description=data.get("description", ""),
            is_public=data.get("is_public", False),
        )
        return _template_response(template, request, status.HTTP_201_CREATED)


class TemplateDetailView(APIView):
    @extend_schema(parameters=[ID], responses={200: TemplateSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return _template_response(template_get_for_user(request.user, pk), request)

    @extend_schema(
        parameters=[ID], request=TemplateInputSerializer, responses={200: TemplateSerializer, **ERRORS}
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        parameters=[ID],
        request=TemplateInputSerializer(partial=True),
        responses={200: TemplateSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        template = template_get_for_user(request.user, pk, writable=True)
        data = valid_body(TemplateInputSerializer, request, partial=partial)
        template = template_update(template=template, data=data, actor=request.user)
        return _template_response(template, request)

    @extend_schema(parameters=[ID], responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        template_delete(template=template_get_for_user(request.user, pk, writable=True), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateApplyView(APIView):
    @extend_schema(
        parameters=[ID, IDEMPOTENCY_KEY],
        request=TemplateApplySerializer,
        responses={200: CountSerializer, **ERRORS},
    )
    @idempotent_api
    def post(self, request: Request, pk: int) -> Response:
        """Give the selected listings the template's defaults (fill_empty or overwrite)."""
        template = template_get_for_user(request.user, pk)
        body = valid_body(TemplateApplySerializer, request)
        count = template_apply(
            template=template, listings=body["listings"], actor=request.user, mode=body["mode"]
        )
        return Response({"count": count})
