from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from listings.selectors import FilterError, listings_filtered

PAGE_SIZE = 100


@login_required
def grid(request):
    try:
        listings = listings_filtered(request.user, request.GET)
        error = None
    except FilterError as exc:
        listings = listings_filtered(request.user, {})
        error = f"{exc.field}: {exc.message}"
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "listings/grid.html", {"page": page, "error": error, "q": request.GET.get("q", "")}
    )
