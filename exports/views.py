from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from exports.formats import FORMATS
from exports.forms import ExportForm
from exports.selectors import listings_for_export
from exports.services import ExportFile, listings_export
from listings.selectors import FilterError
from marketplace.ratelimits import rate_limited


def export_response(export: ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Export-Count"] = str(export.count)
    # The file is the seller's own data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("exports")
def export(request):
    """The Export dialog's target: the file, or the dialog again with what is wrong.
    A GET without a format shows the dialog as a page."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and "export_format" not in data:
        return render(request, "exports/export.html")
    form = ExportForm(data)
    if form.is_valid():
        try:
            listings = listings_for_export(request.user, **form.selection())
        except FilterError as exc:
            form.add_error("filter", f"{exc.field}: {exc.message}")
        else:
            export_format = FORMATS[form.cleaned_data["export_format"]]
            return export_response(
                listings_export(
                    listings=listings,
                    export_format=export_format,
                    actor=request.user,
                    bom=form.cleaned_data["bom"],
                )
            )
    return render(request, "exports/export.html", {"export_form": form}, status=400)
