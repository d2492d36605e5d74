from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.operations import (
    operation_details,
    operation_get_for_user,
    operation_kinds,
    operation_lines,
    operation_page,
    operations_by,
)

FILTERS = ("kind", "object_id", "date_from", "date_to")


@login_required
@require_GET
def history(request):
    """What the user did, one line per operation, filterable by kind, object and date."""
    page = operation_page(operations_by(request.user, request.GET), request.GET)
    filters = {name: request.GET.get(name, "") for name in FILTERS}
    query = urlencode({name: value for name, value in filters.items() if value})
    context = {
        "lines": operation_lines(request.user, page.operations),
        "page": page,
        "filters": filters,
        "kinds": operation_kinds(request.user),
        "query": query,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "audit/history.html#operations", context)
    return render(request, "audit/history.html", context)


@login_required
@require_GET
def operation(request, pk: int):
    """One operation opened: each object it touched and what changed, in words."""
    found = operation_get_for_user(request.user, pk)
    context = {"operation": found, "details": operation_details(request.user, found)}
    return render(request, "audit/history.html#details", context)
