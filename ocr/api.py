"""``/api/ocr/``: upload scans, read them back with pages and candidates, correct,
convert to listings, delete. Another user's scan is a 404."""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.request import Request
from rest_framework.response import Response

from listing_templates.selectors import template_get_for_user
from marketplace.api_input import valid_body
from marketplace.parsers import FormParser, JSONParser, MultiPartParser
from marketplace.ratelimits import rate_limited
from ocr import selectors, services
from ocr.models import Candidate, Scan, ScanPage
from ocr.serializers import ScanUploadSerializer


class ScanSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scan
        fields = [
            "id",
            "original_name",
            "file_size",
            "engine",
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
    # Served only to the scan's owner (session or JWT), never from a public URL.
    thumbnail = serializers.SerializerMethodField()

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

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, page: ScanPage) -> str | None:
        if not page.thumbnail:
            return None
        url = reverse("ocr:page-image", args=[page.scan_id, page.number])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


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
            "sku",
            "confidence",
            "field_confidence",
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


class CandidateEditSerializer(serializers.Serializer):
    # Values stay as sent: the listing rules (listings.validation) clean them.
    id = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True)
    price = serializers.CharField(required=False, allow_blank=True)
    sku = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    selected = serializers.BooleanField(required=False)


class CorrectSerializer(serializers.Serializer):
    candidates = CandidateEditSerializer(many=True, allow_empty=False)


class ConvertSerializer(serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=False,
        help_text="Candidate ids; without them, the ticked (selected) candidates not converted yet, "
        "as the review page converts.",
    )
    template = serializers.IntegerField(required=False, allow_null=True)


@extend_schema(methods=["GET"], operation_id="ocr_scans_list", responses=ScanSerializer(many=True))
@extend_schema(
    methods=["POST"], request={"multipart/form-data": ScanUploadSerializer}, responses={201: ScanSerializer}
)
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser])
@rate_limited("uploads")
def scans(request: Request) -> Response:
    if request.method == "GET":
        return Response(ScanSerializer(selectors.scans_for_user(request.user), many=True).data)
    upload = ScanUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    data = upload.validated_data
    scan = services.scan_create(owner=request.user, upload=data["file"], engine=data["engine"])
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
    edits = [dict(edit) for edit in valid_body(CorrectSerializer, request)["candidates"]]
    updated = services.scan_correct(scan=scan, edits=edits, actor=request.user)
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
    body = valid_body(ConvertSerializer, request)
    template = template_get_for_user(request.user, body["template"]) if body.get("template") else None
    listings = services.scan_convert(
        scan=scan, actor=request.user, candidate_ids=body.get("candidates"), template=template
    )
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
