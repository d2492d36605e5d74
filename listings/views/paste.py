"""Pasting a block of cells from a spreadsheet into the grid."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from listings.fields import LISTING_FIELDS
from listings.selectors import listings_for_user
from listings.services.paste import listings_paste
from listings.views.grid import (
    COUNT_CHANGED,
    LABELS,
    UNDO_CHANGED,
    grid_message,
    grid_row,
    notify,
)
from marketplace.input import int_parameter, whole_number


def _pasted_block(text: str) -> list[list[str]]:
    """Rows of cells from a spreadsheet's clipboard: tab-separated lines, with
    quoted cells that may hold tabs or line breaks (as Excel and Sheets write them)."""
    lines = list(csv.reader(io.StringIO(text.replace("\r\n", "\n")), delimiter="\t"))
    while lines and not any(cell.strip() for cell in lines[-1]):
        lines.pop()
    return lines


# What a write from the grid's range does (grid-range.js): pasted, filled (Ctrl+D,
# the fill handle) and cleared (Delete) cells all go through listings_paste.
RANGE_VERBS = {"paste": "Pasted", "fill": "Filled", "clear": "Cleared"}


@login_required
@require_POST
def paste(request):
    """Write a block of cells: a paste from the focused cell, a fill down or a
    cleared range (``action``). The client sends the columns, the ids and versions
    of the rows, and the cells as tab-separated text (none to clear). One undo step."""
    action = request.POST.get("action", "paste")
    # The columns from the focused one on, as the grid shows them (the seller's
    # order); or ``field`` and the columns after it in the listing's field order.
    shown = request.POST.getlist("fields")
    if not shown and request.POST.get("field") in LISTING_FIELDS:
        shown = list(LISTING_FIELDS[LISTING_FIELDS.index(request.POST["field"]) :])
    known = shown and len(set(shown)) == len(shown) and set(shown) <= set(LISTING_FIELDS)
    if action not in RANGE_VERBS or not known:
        return grid_message(request, "Focus a cell before pasting.", error=True, status=422)
    ids = [int_parameter(pk, name="ids") for pk in request.POST.getlist("ids") if pk]
    if action == "clear":
        block = [[""] * len(shown) for _ in ids]
    else:
        block = _pasted_block(request.POST.get("text", ""))
    if not block:
        return grid_message(request, "The clipboard has no cells to paste.", error=True, status=422)
    width = min(max(len(line) for line in block), len(shown))
    fields = shown[:width]
    ids = ids[: len(block)]
    versions = [whole_number(version) for version in request.POST.getlist("versions")]
    by_id = listings_for_user(request.user).in_bulk(ids)
    if len(by_id) != len(set(ids)):
        raise Http404("No such listing.")
    targets = [(by_id[pk], versions[i] if i < len(versions) else None) for i, pk in enumerate(ids)]
    result = listings_paste(
        owner=request.user, fields=fields, targets=targets, block=block, actor=request.user
    )
    errors_by_id: dict[int, dict[str, str]] = {}
    for _, pk, error in result.errors:
        if pk is not None:
            errors_by_id.setdefault(pk, {})[error.field] = error.message
    base_url = reverse("listings:grid")
    context = {
        "updated": [grid_row(listing, base_url, errors_by_id.get(listing.pk)) for listing in result.updated],
        "created": [grid_row(listing, base_url) for listing in result.created],
        "problems": [(number, LABELS.get(e.field, e.field), e.message) for number, _, e in result.errors],
        "cells": sum(len(line[:width]) for line in block),
        "verb": RANGE_VERBS[action],
        "base_url": base_url,
    }
    response = render(request, "listings/grid.html#paste_report", context)
    return notify(response, COUNT_CHANGED, UNDO_CHANGED) if result.created else notify(response, UNDO_CHANGED)
