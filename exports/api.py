"""``GET|POST /api/export/{format}/``: the file, streamed; errors in the API's JSON shape."""

from collections.abc import Mapping

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from exports.formats import FORMATS
from exports.forms import ExportForm
from exports.selectors import listings_for_export
from exports.services import listings_export
from exports.views import export_response
from listings.selectors import FilterError
from marketplace.ratelimits import rate_limited


class FileContentNegotiation(DefaultContentNegotiation):
    """The answer is a file whatever the client accepts; only errors are rendered,
    and always as JSON (``Accept: text/csv`` must not turn into a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _params(request, export_format: str) -> QueryDict:
    """Query parameters and body together; the body wins."""
    params = request.query_params.copy()
    body = request.data
    if not isinstance(body, Mapping):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    items = body.lists() if isinstance(body, QueryDict) else body.items()
    for key, value in items:
        params.setlist(key, value if isinstance(value, list) else [value])
    params["export_format"] = export_format
    return params


_FORMAT_PARAMETER = OpenApiParameter("export_format", str, OpenApiParameter.PATH, enum=list(FORMATS))
_SCOPE_FIELDS = {
    "scope": serializers.ChoiceField(choices=["all", "filter", "selected"], required=False),
    "ids": serializers.ListField(child=serializers.IntegerField(), required=False),
    "filter": serializers.DictField(child=serializers.CharField(), required=False),
    "ordering": serializers.CharField(required=False, help_text="e.g. price,-title"),
    "bom": serializers.BooleanField(required=False, help_text="csv and text: UTF-8 byte-order mark"),
    "photos": serializers.BooleanField(
        required=False,
        help_text="facebook: a zip of the files, a photos/ folder (<file>-row<N>-<k>.jpg) and manifest.csv",
    ),
    "include": serializers.ChoiceField(
        choices=["ready", "all"],
        required=False,
        help_text="Marketplaces' files: only the listings ready for it (default), or all",
    ),
}
_RESPONSES = {
    # Every format is a file; JSON's is an array of listing objects.
    **{
        (200, content_type): OpenApiTypes.ANY if content_type == "application/json" else OpenApiTypes.BINARY
        # Facebook's files of more than 50 listings, or with photos, come as one zip.
        for content_type in sorted({f.content_type for f in FORMATS.values()} | {"application/zip"})
    },
    400: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class ExportView(APIView):
    content_negotiation_class = FileContentNegotiation

    @extend_schema(
        summary="Export listings as a file (" + ", ".join(FORMATS) + ")",
        parameters=[
            _FORMAT_PARAMETER,
            OpenApiParameter("scope", str, enum=["all", "filter", "selected"]),
            OpenApiParameter("ids", str, description="Listing ids, comma-separated or repeated."),
            OpenApiParameter(
                "filter", str, description="The grid's query string, e.g. q=chair&condition=New"
            ),
            OpenApiParameter("ordering", str, description="e.g. price,-title"),
            OpenApiParameter("bom", bool),
            OpenApiParameter(
                "photos",
                bool,
                description="facebook only: a zip of the files with a photos/ folder of each row's photos "
                "(<file>-row<N>-<k>.jpg) and manifest.csv (file, row, title, photos).",
            ),
            OpenApiParameter(
                "include",
                str,
                enum=["ready", "all"],
                description="Marketplaces' files: only ready listings (default) or all. "
                "X-Export-Left-Out says how many were left out, X-Export-Left-Out-Reasons why.",
            ),
        ],
        responses=_RESPONSES,
    )
    # post() answers through get(), so each export is counted once.
    @rate_limited("exports")
    def get(self, request, export_format: str):
        if export_format not in FORMATS:
            raise NotFound(f"There is no export format “{export_format}”; use one of: {', '.join(FORMATS)}.")
        form = ExportForm(_params(request, export_format))
        if not form.is_valid():
            raise ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): list(errors)
                    for field, errors in form.errors.items()
                }
            )
        try:
            listings = listings_for_export(request.user, **form.selection())
        except FilterError as exc:
            raise ValidationError({f"filter.{exc.field}": [exc.message]}) from exc
        return export_response(
            listings_export(
                listings=listings,
                export_format=FORMATS[export_format],
                actor=request.user,
                bom=form.cleaned_data["bom"],
                include_all=form.cleaned_data["include_all"],
                base_url=request.build_absolute_uri("/"),
                photos=form.cleaned_data["photos"],
            )
        )

    @extend_schema(
        summary="Export listings as a file, the scope in the body",
        parameters=[_FORMAT_PARAMETER],
        request=inline_serializer("ExportRequest", fields=_SCOPE_FIELDS),
        responses=_RESPONSES,
    )
    def post(self, request, export_format: str):
        return self.get(request, export_format)
