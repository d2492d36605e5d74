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
from audit.serializers import AuditFilterSerializer

# The page's own filter controls; the serializer also takes ``action`` and ``object_type``.
FILTERS = ("kind", "object_id", "date_from", "date_to")


@login_required
@require_GET
def history(request):
    """What the user did, one line per operation, filterable by kind, object and date
    through the filter ``/api/audit/`` reads, so a bad value is refused the same way."""
    serializer = AuditFilterSerializer(data=request.GET.dict())
    valid = serializer.is_valid()
    operations = operations_by(request.user, serializer.validated_data if valid else {})
    page = operation_page(operations if valid else operations.none(), request.GET)
    filters = {name: request.GET.get(name, "") for name in FILTERS}
    query = urlencode({name: value for name, value in filters.items() if value})
    context = {
        "lines": operation_lines(request.user, page.operations),
        "page": page,
        "filters": filters,
        "filter_errors": [] if valid else _messages(serializer.errors),
        "kinds": operation_kinds(request.user),
        "query": query,
    }
    if request.htmx and not request.htmx.history_restore_request:
        # 422: the status htmx swaps, so the refusal replaces the list.
        return render(request, "audit/history.html#operations", context, status=200 if valid else 422)
    return render(request, "audit/history.html", context, status=200 if valid else 400)


def _messages(errors: dict) -> list[str]:
    """The serializer's errors as the lines the page shows above its list."""
    labels = {"date_from": "From", "date_to": "To", "object_id": "Listing id", "kind": "Action"}
    return [
        f"{labels.get(name, name)}: {message}"
        for name, messages in errors.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]


@login_required
@require_GET
def operation(request, pk: int):
    """One operation opened: each object it touched and what changed, in words."""
    found = operation_get_for_user(request.user, pk)
    context = {"operation": found, "details": operation_details(request.user, found)}
    return render(request, "audit/history.html#details", context)
