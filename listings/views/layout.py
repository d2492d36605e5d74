"""The grid's column layout and saved views: thin views over ``listings.services.layout``."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from listings.selectors import saved_view_get_for_user
from listings.services.layout import (
    grid_layout_reset,
    grid_layout_save,
    saved_view_apply,
    saved_view_create,
    saved_view_delete,
)

# A layout is a few hundred bytes; anything much bigger is not one.
LAYOUT_MAX_BYTES = 4000


def _columns(request):
    raw = request.POST.get("layout", "")
    if len(raw) > LAYOUT_MAX_BYTES:
        raise ValidationError("The layout is too large.")
    try:
        return json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ValidationError("The layout is not JSON.") from exc


@login_required
@require_POST
def layout_save(request):
    try:
        columns = grid_layout_save(user=request.user, columns=_columns(request))
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=422)
    return JsonResponse(columns)


@login_required
@require_POST
def layout_reset(request):
    grid_layout_reset(user=request.user)
    return HttpResponse(status=204)


@login_required
@require_POST
def view_create(request):
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            owner=request.user, name=request.POST.get("name", ""), query=query, columns=_columns(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('listings:grid')}?{query.lstrip('?')}")
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(f"{reverse('listings:grid')}?{view.query}")


@login_required
@require_POST
def view_apply(request, pk: int):
    query = saved_view_apply(view=saved_view_get_for_user(request.user, pk))
    return redirect(f"{reverse('listings:grid')}?{query}")


@login_required
@require_POST
def view_delete(request, pk: int):
    view = saved_view_get_for_user(request.user, pk)
    saved_view_delete(view=view, actor=request.user)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("listings:grid")
