"""``/api/ocr/``: upload scans, read them back with pages and candidates, correct,
convert to listings, delete. Another user's scan is a 404."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.request import Request
from rest_framework.response import Response

from listing_templates.selectors import template_get_for_user
from marketplace.parsers import FormParser, JSONParser, MultiPartParser
from marketplace.ratelimits import rate_limited
from ocr import selectors, services
from ocr.models import Candidate, Scan, ScanPage


class ScanSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scan
        fields = [
            "id",
            "original_name",
            "file_size",
            "status",
            "error",
            "page_count",
            "pages_done",
            "progress_percent",
            "items_found",
            "mean_confidence",
            "duration_seconds",
            "attempts",
            "created_at",
            "updated_at",
            "finished_at",
        ]


class PageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanPage
        fields = [
            "number",
            "text",
            "words",
            "mean_confidence",
            "width",
            "height",
            "thumbnail",
            "error",
            "seconds",
        ]


class CandidateSerializer(serializers.ModelSerializer):
    page = serializers.IntegerField(source="page.number", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "page",
            "position",
            "title",
            "price",
            "description",
            "confidence",
            "layout",
            "boxes",
            "selected",
            "edited",
            "listing",
        ]


class ScanDetailSerializer(ScanSerializer):
    pages = PageSerializer(many=True, read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta(ScanSerializer.Meta):
        fields = [*ScanSerializer.Meta.fields, "pages", "candidates"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class CandidateEditSerializer(serializers.Serializer):
    # Values stay as sent: the listing rules (listings.validation) clean them.
    id = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True)
    price = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    selected = serializers.BooleanField(required=False)


class CorrectSerializer(serializers.Serializer):
    candidates = CandidateEditSerializer(many=True, allow_empty=False)


class ConvertSerializer(serializers.Serializer):
    candidates = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False)
    template = serializers.IntegerField(required=False, allow_null=True)


def _invalid(exc: services.ScanInvalid) -> Response:
    return Response({"detail": "Invalid input.", "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(methods=["GET"], operation_id="ocr_scans_list", responses=ScanSerializer(many=True))
@extend_schema(
    methods=["POST"], request={"multipart/form-data": UploadSerializer}, responses={201: ScanSerializer}
)
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser])
@rate_limited("uploads")
def scans(request: Request) -> Response:
    if request.method == "GET":
        return Response(ScanSerializer(selectors.scans_for_user(request.user), many=True).data)
    upload = UploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    try:
        scan = services.scan_create(owner=request.user, upload=upload.validated_data["file"])
    except services.ScanInvalid as exc:
        return _invalid(exc)
    return Response(ScanSerializer(scan).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=ScanDetailSerializer)
@api_view(["GET", "DELETE"])
def scan_detail(request: Request, scan_id: int) -> Response:
    if request.method == "DELETE":
        services.scan_delete(scan=selectors.scan_get_for_user(request.user, scan_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    scan = selectors.scan_detail_for_user(request.user, scan_id)
    return Response(ScanDetailSerializer(scan, context={"request": request}).data)


@extend_schema(request=CorrectSerializer, responses=CandidateSerializer(many=True))
@api_view(["POST"])
@parser_classes([JSONParser])
def scan_correct(request: Request, scan_id: int) -> Response:
    scan = selectors.scan_get_for_user(request.user, scan_id)
    body = CorrectSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    edits = [dict(edit) for edit in body.validated_data["candidates"]]
    try:
        updated = services.scan_correct(scan=scan, edits=edits, actor=request.user)
    except services.ScanInvalid as exc:
        return _invalid(exc)
    return Response(CandidateSerializer(updated, many=True).data)


@extend_schema(
    request=ConvertSerializer,
    responses={
        201: inline_serializer(
            "ScanConvertResult",
            fields={
                "created": serializers.IntegerField(),
                "listings": serializers.ListField(child=serializers.IntegerField()),
            },
        )
    },
)
@api_view(["POST"])
@parser_classes([JSONParser])
def scan_convert(request: Request, scan_id: int) -> Response:
    scan = selectors.scan_get_for_user(request.user, scan_id)
    body = ConvertSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    template_id = body.validated_data.get("template")
    template = template_get_for_user(request.user, template_id) if template_id else None
    try:
        listings = services.scan_convert(
            scan=scan,
            actor=request.user,
            candidate_ids=body.validated_data.get("candidates"),
            template=template,
        )
    except services.ScanInvalid as exc:
        return _invalid(exc)
    return Response(
        {"created": len(listings), "listings": [listing.pk for listing in listings]},
        status=status.HTTP_201_CREATED,
    )


app_name = "ocr-api"
urlpatterns = [
    path("scans/", scans, name="scans"),
    path("scans/<int:scan_id>/", scan_detail, name="scan"),
    path("scans/<int:scan_id>/correct/", scan_correct, name="correct"),
    path("scans/<int:scan_id>/convert/", scan_convert, name="convert"),
]
