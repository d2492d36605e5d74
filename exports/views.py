from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from exports.formats import FORMATS
from exports.forms import ExportForm, Scope
from exports.selectors import listings_for_export
from exports.services import ExportFile, listings_export
from listings.readiness import MARKETPLACE_NAMES
from listings.readiness import readiness as readiness_of
from listings.selectors import FilterError
from marketplace.ratelimits import rate_limited


def export_response(export: ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Export-Count"] = str(export.count)
    if export.left_out is not None:
        # How many listings a marketplace's file left out, and why ("2 no description; …").
        response["X-Export-Left-Out"] = str(export.left_out.not_ready)
        if export.left_out.reasons:
            response["X-Export-Left-Out-Reasons"] = "; ".join(
                f"{count} {reason}" for reason, count in export.left_out.reasons
            )
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
                    include_all=form.cleaned_data["include_all"],
                    base_url=request.build_absolute_uri("/"),
                    photos=form.cleaned_data["photos"],
                )
            )
    return render(request, "exports/export.html", {"export_form": form}, status=400)


@login_required
@require_GET
def readiness(request):
    """The Export dialog's check before a marketplace's file: how many of the chosen
    listings are ready and why the others are not, with a link to the grid showing
    them. The seller's own formats (csv, xlsx, …) have nothing to check."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse("")
    marketplace = FORMATS[form.cleaned_data["export_format"]].marketplace
    if marketplace is None:
        return HttpResponse("")
    try:
        listings = listings_for_export(request.user, **form.selection())
    except FilterError:
        return HttpResponse("")
    grid_filter = {} if form.cleaned_data["scope"] == Scope.SELECTED else form.cleaned_data["filter"]
    query = QueryDict(mutable=True)
    query.update({**grid_filter, marketplace: "not_ready"})
    context = {
        "readiness": readiness_of(listings, marketplace, request.user),
        "marketplace": MARKETPLACE_NAMES[marketplace],
        "include_all": form.cleaned_data["include_all"],
        "fix_url": f"{reverse('listings:grid')}?{query.urlencode()}",
    }
    return render(request, "exports/_export_dialog.html#readiness", context)
