from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AuditEntry
from audit.selectors import audit_actions_by, audit_entries_by
from audit.serializers import AuditFilterSerializer

PAGE_SIZE = 50
# The filter inputs' labels on the page.
FILTER_LABELS = {"action": "Action", "object_id": "Object id", "date_from": "From", "date_to": "To"}


@login_required
@require_GET
def history(request):
    """The user's own audit log, filtered as ``/api/audit/`` filters (one serializer):
    a bad filter is named on the page, with no entries, where the API answers 400."""
    names = tuple(FILTER_LABELS)
    filters = AuditFilterSerializer(data={name: request.GET[name] for name in names if name in request.GET})
    valid = filters.is_valid()
    entries = audit_entries_by(request.user, filters.validated_data) if valid else AuditEntry.objects.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {name: request.GET.get(name, "") for name in names}
    context = {
        "page": page,
        "filters": shown,
        "filter_errors": [
            f"{FILTER_LABELS.get(name, '')}: {error}".lstrip(": ")
            for name, errors in filters.errors.items()
            for error in errors
        ],
        "actions": audit_actions_by(request.user),
        "query": urlencode({name: value for name, value in shown.items() if value}),
    }
    # 422, like every HTML form error here: htmx swaps it in (see base.html).
    status = 200 if valid else 422
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "audit/history.html#entries", context, status=status)
    return render(request, "audit/history.html", context, status=status)
