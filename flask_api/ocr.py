"""``/api/ocr/*`` as the Flask system answered. Scans are read in the background
here (Flask read them during the upload), so an upload answers ``status: "pending"``
and the client polls ``GET /api/ocr/scans/<id>`` until it is ``completed``.
``extracted_data`` is ``{"products": [...]}``, the scan's candidates; a correction
edits them through ``ocr.services.scan_correct``."""

import mimetypes
from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from flask_api.base import (
    FlaskView,
    body,
    fetch,
    listing_invalid_details,
    message_serializer,
    page,
    page_serializer,
)
from marketplace.errors import InvalidInput
from marketplace.ratelimits import rate_limited
from ocr import engines, selectors, services
from ocr.models import Candidate, Scan, ScanPage

NOT_FOUND = "OCR scan not found"
PRODUCT_FIELDS = ("title", "price", "description", "selected")
# What ``products`` items show and a client may send back unchanged.
PRODUCT_READ_ONLY = ("id", "page", "position", "confidence", "layout", "edited", "listing_id")


def _product(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "page": candidate.page.number,
        "position": candidate.position,
        "title": candidate.title,
        "price": f"{candidate.price:.2f}" if candidate.price is not None else None,
        "description": candidate.description,
        "selected": candidate.selected,
        "confidence": candidate.confidence,
        "layout": candidate.layout,
        "edited": candidate.edited,
        "listing_id": candidate.listing_id,
    }


def scan_json(scan: Scan) -> dict[str, Any]:
    """Flask's OCRScan; ``scan`` comes with its pages and candidates prefetched."""
    pages = sorted(scan.pages.all(), key=lambda page: page.number)
    return {
        "id": scan.pk,
        "user_id": scan.owner_id,
        "filename": scan.original_name,
        "file_size": scan.file_size,
        "file_type": mimetypes.guess_type(scan.original_name)[0] or "application/octet-stream",
        "status": scan.status,
        "ocr_text": "\n\n".join(page.text for page in pages) if pages else None,
        "extracted_data": {"products": [_product(candidate) for candidate in scan.candidates.all()]},
        "error_message": scan.error or None,
        "processing_time": scan.duration_seconds,
        "items_extracted": scan.items_found or 0,
        "confidence_score": scan.mean_confidence,
        "created_at": scan.created_at,
        "updated_at": scan.updated_at,
        "completed_at": scan.finished_at,
    }


def _with_parts(scans):
    return scans.prefetch_related(
        Prefetch("pages", queryset=ScanPage.objects.only("id", "scan_id", "number", "text")),
        Prefetch(
            "candidates",
            queryset=Candidate.objects.select_related("page").order_by("page__number", "position", "id"),
        ),
    )


def _scan(request: Request, scan_id: str) -> Scan:
    scan = fetch(selectors.scan_get_for_user, request.user, scan_id, NOT_FOUND)
    return _with_parts(Scan.objects.filter(pk=scan.pk)).get()


class FlaskScanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    filename = serializers.CharField()
    file_size = serializers.IntegerField()
    file_type = serializers.CharField()
    status = serializers.ChoiceField(choices=Scan.Status.choices)
    ocr_text = serializers.CharField(allow_null=True)
    extracted_data = serializers.DictField(help_text='{"products": [{id, title, price, description, ...}]}')
    error_message = serializers.CharField(allow_null=True)
    processing_time = serializers.FloatField(allow_null=True)
    items_extracted = serializers.IntegerField()
    confidence_score = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class FlaskUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    ocr_engine = serializers.CharField(
        required=False,
        help_text="tesseract (the default), paddleocr (PP-OCR) or both; our own names ppocr and both too.",
    )


# The Flask system's engine names, and ours.
FLASK_ENGINES = {"tesseract": engines.TESSERACT, "paddleocr": engines.PPOCR, "paddle": engines.PPOCR}


class FlaskCorrectSerializer(serializers.Serializer):
    corrected_data = serializers.DictField(
        help_text='{"products": [{"id"?, "title"?, "price"?, "description"?, "selected"?}]}: '
        "each product edits the candidate with its id, or the one at its position."
    )


SCAN_MESSAGE = message_serializer("FlaskScanMessage", ocr_scan=FlaskScanSerializer())


class UploadView(FlaskView):
    @extend_schema(request={"multipart/form-data": FlaskUploadSerializer}, responses={201: SCAN_MESSAGE})
    @rate_limited("uploads")
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["No file provided"]})
        try:
            name = str(request.data.get("ocr_engine") or engines.TESSERACT).strip().lower()
            scan = services.scan_create(
                owner=request.user, upload=upload, engine=FLASK_ENGINES.get(name, name)
            )
        except InvalidInput as exc:
            raise ValidationError(listing_invalid_details(exc)) from exc
        return Response(
            {
                "message": "File uploaded; reading it in the background",
                "ocr_scan": scan_json(_scan(request, str(scan.pk))),
            },
            status=status.HTTP_201_CREATED,
        )


class ScanListView(FlaskView):
    @extend_schema(
        operation_id="flask_ocr_scans_list",
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("per_page", int, description="Default 20, at most 100."),
        ],
        responses=page_serializer("FlaskScanPage", "scans", FlaskScanSerializer(many=True)),
    )
    def get(self, request: Request) -> Response:
        scans = _with_parts(selectors.scans_for_user(request.user).order_by("-created_at", "-id"))
        return Response(page(request, scans, scan_json, key="scans", default_per_page=20))


class ScanDetailView(FlaskView):
    @extend_schema(responses=FlaskScanSerializer)
    def get(self, request: Request, scan_id: str) -> Response:
        return Response(scan_json(_scan(request, scan_id)))

    @extend_schema(responses=message_serializer("FlaskScanDeleted"))
    def delete(self, request: Request, scan_id: str) -> Response:
        services.scan_delete(scan=_scan(request, scan_id), actor=request.user)
        return Response({"message": "OCR scan deleted successfully"})


def _edits(scan: Scan, corrected: Any) -> list[dict[str, Any]]:
    """``corrected_data.products`` as ``scan_correct`` edits: by id, else by position."""
    products = corrected.get("products") if isinstance(corrected, Mapping) else None
    if not isinstance(products, list):
        raise ValidationError({"corrected_data": {"products": ["A list of the scan's products."]}})
    candidates = list(scan.candidates.all())
    edits, errors = [], {}
    for index, product in enumerate(products):
        if not isinstance(product, Mapping):
            errors[str(index)] = {"_schema": ["Each product is an object."]}
            continue
        unknown = sorted(set(product) - {*PRODUCT_FIELDS, *PRODUCT_READ_ONLY})
        if unknown:
            errors[str(index)] = {name: ["Unknown field."] for name in unknown}
            continue
        if product.get("id") is not None:
            candidate_id = product["id"]
        elif index < len(candidates):
            candidate_id = candidates[index].pk
        else:
            errors[str(index)] = {"_schema": ["This scan found fewer products; give each product its id."]}
            continue
        edits.append(
            {"id": candidate_id, **{name: product[name] for name in PRODUCT_FIELDS if name in product}}
        )
    if errors:
        raise ValidationError({"corrected_data": {"products": errors}})
    return edits


class ScanCorrectView(FlaskView):
    @extend_schema(request=FlaskCorrectSerializer, responses=SCAN_MESSAGE)
    def post(self, request: Request, scan_id: str) -> Response:
        scan = _scan(request, scan_id)
        data = body(request)
        if "corrected_data" not in data:
            raise ValidationError({"corrected_data": ["Missing data for required field."]})
        try:
            services.scan_correct(scan=scan, edits=_edits(scan, data["corrected_data"]), actor=request.user)
        except InvalidInput as exc:
            raise ValidationError(
                {"corrected_data": listing_invalid_details(exc, prefix="products")}
            ) from exc
        return Response(
            {"message": "OCR scan corrected successfully", "ocr_scan": scan_json(_scan(request, scan_id))}
        )
