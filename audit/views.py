from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.selectors import audit_actions_by, audit_entries_by

PAGE_SIZE = 50


@login_required
@require_GET
def history(request):
    """The user's own audit log, filterable by action, object and date."""
    entries = audit_entries_by(request.user, request.GET)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {name: request.GET.get(name, "") for name in ("action", "object_id", "date_from", "date_to")}
    query = urlencode({name: value for name, value in filters.items() if value})
    context = {"page": page, "filters": filters, "actions": audit_actions_by(request.user), "query": query}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "audit/history.html#entries", context)
    return render(request, "audit/history.html", context)
