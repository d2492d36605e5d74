"""``/api/imports/``: upload (parse and validate), list, show and commit imports."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from imports.models import Import
from imports.selectors import import_get_for_user, imports_for_user
from imports.serializers import (
    ImportCommitSerializer,
    ImportSerializer,
    ImportSummarySerializer,
    ImportUploadSerializer,
)
from imports.services import ImportNotCommittable, ImportRejected, import_create, import_request_commit
from listing_templates.selectors import template_get_for_user
from marketplace.parsers import FormParser, MultiPartParser
from marketplace.ratelimits import rate_limited


class ImportPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


def rejected_response(exc: ImportRejected) -> Response:
    return Response(
        {"detail": exc.message, "errors": [error.as_dict() for error in exc.errors]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def not_committable_response(exc: ImportNotCommittable) -> Response:
    return Response({"detail": str(exc), "errors": []}, status=status.HTTP_409_CONFLICT)


@extend_schema(
    methods=["GET"],
    operation_id="imports_list",
    responses=inline_serializer(
        "PaginatedImportSummaryList",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": ImportSummarySerializer(many=True),
        },
    ),
)
@extend_schema(methods=["POST"], request=ImportUploadSerializer, responses={201: ImportSerializer})
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser])
@rate_limited("uploads")
def imports(request):
    if request.method == "GET":
        paginator = ImportPagination()
        page = paginator.paginate_queryset(imports_for_user(request.user), request)
        return paginator.get_paginated_response(ImportSummarySerializer(page, many=True).data)
    serializer = ImportUploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    template = template_get_for_user(request.user, data["template"]) if data.get("template") else None
    try:
        upload = import_create(
            owner=request.user,
            files=data["file"],
            mode=data["mode"],
            template=template,
            sheet=data.get("sheet") or None,
        )
    except ImportRejected as exc:
        return rejected_response(exc)
    return Response(ImportSerializer(upload).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=ImportSerializer)
@api_view(["GET"])
def import_detail(request, pk: int):
    return Response(ImportSerializer(import_get_for_user(request.user, pk)).data)


@extend_schema(request=ImportCommitSerializer, responses={200: ImportSerializer, 202: ImportSerializer})
@api_view(["POST"])
def import_commit(request, pk: int):
    upload = import_get_for_user(request.user, pk)
    serializer = ImportCommitSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        upload = import_request_commit(
            upload=upload, actor=request.user, skip_invalid=serializer.validated_data["skip_invalid"]
        )
    except ImportRejected as exc:
        return rejected_response(exc)
    except ImportNotCommittable as exc:
        return not_committable_response(exc)
    queued = upload.status in (Import.Status.QUEUED, Import.Status.COMMITTING)
    return Response(
        ImportSerializer(upload).data, status=status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK
    )
