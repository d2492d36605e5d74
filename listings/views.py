"""The spreadsheet page and the templates pages. Full page loads render
``listings/grid.html``; HTMX requests render one of its named partials."""

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from listings import forms
from listings.categories import suggest_categories
from listings.models import LISTING_FIELDS, Condition, Listing
from listings.selectors import (
    NEW_ROW_TITLE,
    FilterError,
    listing_get_for_user,
    listing_history,
    listing_history_entry,
    listings_empty,
    listings_filtered,
    listings_for_user,
    template_get_for_user,
    templates_visible_to,
    undo_redo_depth,
)
from listings.services import (
    NothingToUndo,
    VersionConflict,
    listing_create,
    listing_delete,
    listing_duplicate,
    listing_revert,
    listing_update,
    listings_bulk_delete,
    listings_bulk_set,
    listings_create_many,
    listings_find_replace,
    listings_paste,
    listings_price_adjust,
    redo_last,
    template_apply,
    template_create,
    template_delete,
    template_update,
    undo_last,
)
from listings.validation import ListingInvalid, clean_listing
from marketplace.input import MAX_BIGINT, int_parameter, whole_number

# Rows per request: two screens; scrolling to the end loads the next ones.
PAGE_SIZE = 50
COLUMNS = (
    ("title", "Title"),
    ("price", "Price"),
    ("condition", "Condition"),
    ("description", "Description"),
    ("category", "Category"),
    ("offer_shipping", "Offer shipping"),
)
LABELS = dict(COLUMNS)
# Query parameters that make up what the grid shows; kept in the URL.
VIEW_STATE = ("q", "condition", "category", "offer_shipping", "has_warnings", "ordering")
# Only what a row shows: the JSON of imported extra columns stays in the database.
ROW_COLUMNS = ("id", "version", "warnings", *LISTING_FIELDS)
# Rows changed on the server: the grid reloads its table (see grid.html).
ROWS_CHANGED = "rows-changed"
# Rows were added or removed in place: the "X of Y" count refreshes.
COUNT_CHANGED = "count-changed"
# A change was recorded (or undone): the undo and redo buttons refresh.
UNDO_CHANGED = "undo-changed"
# Each duplicate is its own listing_duplicate call; more than this is an import's job.
DUPLICATE_MAX = 500


@dataclass(frozen=True)
class Cell:
    """One cell as the grid shows it. Everything the template prints is worked out
    here: a page has 600 cells, and Python is far faster than template lookups."""

    field: str
    value: Any  # the stored value, or what the user typed when it was invalid
    url: str
    version: int
    state: str = "view"  # view | saved | edit | error | conflict
    error: str = ""

    @property
    def viewing(self) -> bool:
        return self.state in ("view", "saved")

    @property
    def label(self) -> str:
        return LABELS[self.field]

    @property
    def display(self) -> str:
        if self.field == "offer_shipping":
            return "Yes" if self.value else "No"
        if self.field == "description":
            return Truncator(self.value).chars(120)
        return str(self.value)

    @property
    def length(self) -> int:
        return len(str(self.value or ""))


@dataclass(frozen=True)
class Row:
    pk: str
    version: str
    title: str
    url: str
    warnings: str
    warning_count: int
    cells: list[Cell]


def _cell(listing: Listing, field: str, base_url: str, **kwargs) -> Cell:
    kwargs.setdefault("value", getattr(listing, field))
    return Cell(field=field, url=f"{base_url}{listing.pk}/cells/{field}/", version=listing.version, **kwargs)


def _row(listing: Listing, base_url: str, errors: dict[str, str] | None = None) -> Row:
    errors = errors or {}
    return Row(
        pk=str(listing.pk),
        version=str(listing.version),
        title=listing.title,
        url=f"{base_url}{listing.pk}/",
        warnings=" ".join(listing.warnings),
        warning_count=len(listing.warnings),
        cells=[_cell(listing, field, base_url, error=errors.get(field, "")) for field in LISTING_FIELDS],
    )


def _view_state(params) -> dict[str, str]:
    return {name: params.get(name, "") for name in VIEW_STATE}


def _filtered(request, params):
    """The listings the grid's filters select, and the filter error if one was bad."""
    try:
        return listings_filtered(request.user, params), None
    except FilterError as exc:
        return listings_filtered(request.user, {"ordering": params.get("ordering")}), exc


def _column_headers(query: dict[str, str]) -> list[dict[str, str]]:
    """Each column's header: the link a click sorts by (ascending first, then
    descending) and the current direction for aria-sort."""
    current = query.get("ordering", "")
    headers = []
    for field, label in COLUMNS:
        direction = {field: "ascending", f"-{field}": "descending"}.get(current, "none")
        ordering = f"-{field}" if direction == "ascending" else field
        url = "?" + urlencode({**query, "ordering": ordering})
        headers.append({"field": field, "label": label, "url": url, "sort": direction})
    return headers


def _grid_context(request, params) -> dict[str, Any]:
    state = _view_state(params)
    listings, error = _filtered(request, params)
    # The slice's end (offset + a page) must fit a bigint too.
    offset = int_parameter(params.get("offset"), name="offset", default=0, maximum=MAX_BIGINT - PAGE_SIZE - 1)
    page = list(listings.only(*ROW_COLUMNS)[offset : offset + PAGE_SIZE + 1])
    query = {name: value for name, value in state.items() if value}
    base_url = reverse("listings:grid")
    return {
        "rows": [_row(listing, base_url) for listing in page[:PAGE_SIZE]],
        "next_offset": offset + PAGE_SIZE if len(page) > PAGE_SIZE else None,
        "state": state,
        "query_string": urlencode(query),
        "headers": _column_headers(query),
        "filter_error": error,
        "columns": COLUMNS,
        "conditions": Condition.values,
        "base_url": base_url,
    }


@login_required
@require_GET
def grid(request):
    context = _grid_context(request, request.GET)
    if request.htmx and not request.htmx.history_restore_request:
        partial = "row_list" if request.GET.get("offset") else "table"
        return render(request, f"listings/grid.html#{partial}", context)
    context.update(
        templates=templates_visible_to(request.user),
        bulk_fields=forms.BULK_FIELDS,
        modes=forms.TemplateApplyForm.MODES,
        find_fields=forms.FindReplaceForm.FIELDS,
        depth=undo_redo_depth(request.user),
    )
    return render(request, "listings/grid.html", context)


@login_required
@require_GET
def grid_count(request):
    """The "X of Y" count. Counting is the slow part at 100,000 rows, so the
    table loads first and asks for its count separately."""
    listings, _ = _filtered(request, request.GET)
    return render(
        request,
        "listings/grid.html#count",
        {"matching": listings.count(), "total": listings_for_user(request.user).count()},
    )


def _cell_response(request, listing, field, state, *, status=200, **extra):
    cell_kwargs = {name: extra.pop(name) for name in ("value", "error") if name in extra}
    context = {
        "cell": _cell(listing, field, reverse("listings:grid"), state=state, **cell_kwargs),
        "conditions": Condition.values,
        **extra,
    }
    return render(request, "listings/grid.html#cell", context, status=status)


@login_required
def cell(request, pk: int, field: str):
    """One cell: GET shows it (``?edit=1`` as an editor), POST saves it through
    ``listing_update`` with the version the editor was opened at."""
    if field not in LISTING_FIELDS:
        raise Http404("No such column.")
    listing = listing_get_for_user(request.user, pk)
    if request.method != "POST":
        return _cell_response(request, listing, field, "edit" if request.GET.get("edit") else "view")
    value = request.POST.get("value", "")
    version = whole_number(request.POST.get("version", ""))
    try:
        listing = listing_update(
            listing=listing, data={field: value}, actor=request.user, expected_version=version
        )
    except ListingInvalid as exc:
        message = " ".join(error.message for error in exc.errors)
        return _cell_response(request, listing, field, "error", value=value, error=message, status=422)
    except VersionConflict as exc:
        latest = listing_history(exc.listing).select_related("actor").first()
        return _cell_response(
            request, exc.listing, field, "conflict", status=409, mine=value, latest_change=latest
        )
    return _notify(_cell_response(request, listing, field, "saved"), UNDO_CHANGED)


@login_required
@require_GET
def category_suggest(request):
    # A cell editor sends its input as "value"; the grid's filter and the template
    # form name theirs "category".
    term = request.GET.get("value") or request.GET.get("category") or ""
    return render(request, "listings/grid.html#category_options", {"categories": suggest_categories(term)})


def _notify(response: HttpResponse, *events: str) -> HttpResponse:
    """Tell the page what changed (HX-Trigger); parts of the grid listen for these."""
    for event in events:
        trigger_client_event(response, event)
    return response


@login_required
@require_POST
def row_add(request):
    listing = listing_create(
        owner=request.user, data={"title": NEW_ROW_TITLE, "price": 0}, actor=request.user
    )
    base_url = reverse("listings:grid")
    context = {"row": _row(listing, base_url), "base_url": base_url, "new": True}
    return _notify(render(request, "listings/grid.html#row", context), COUNT_CHANGED, UNDO_CHANGED)


@login_required
@require_POST
def row_delete(request, pk: int):
    listing = listing_get_for_user(request.user, pk)
    listing_delete(listing=listing, actor=request.user)
    # An empty 200 lets htmx remove the row; the count is refreshed.
    return _notify(HttpResponse(""), COUNT_CHANGED, UNDO_CHANGED)


@login_required
@require_POST
def row_duplicate(request, pk: int):
    listing = listing_duplicate(listing=listing_get_for_user(request.user, pk), actor=request.user)
    base_url = reverse("listings:grid")
    context = {"row": _row(listing, base_url), "base_url": base_url}
    response = render(request, "listings/grid.html#row", context)
    return _notify(response, COUNT_CHANGED, UNDO_CHANGED)


@login_required
@require_GET
def undo_buttons(request):
    return render(request, "listings/grid.html#undo_buttons", {"depth": undo_redo_depth(request.user)})


@login_required
@require_POST
def undo(request, direction: str):
    """Undo (or redo) the user's last change, server-side: one bulk change is one step."""
    service = undo_last if direction == "undo" else redo_last
    try:
        outcome = service(user=request.user)
    except NothingToUndo as exc:
        return _message(request, str(exc), error=True, status=422)
    done = "Undid" if direction == "undo" else "Redid"
    plural = "" if outcome.listings == 1 else "s"
    return _notify(
        _message(request, f"{done} {outcome.action} ({outcome.listings} listing{plural})."),
        ROWS_CHANGED,
        UNDO_CHANGED,
    )


@login_required
@require_POST
def rows_remove_empty(request):
    removed = listings_bulk_delete(listings=listings_empty(request.user), actor=request.user)
    plural = "" if removed == 1 else "s"
    return _notify(_message(request, f"Removed {removed} empty row{plural}."), ROWS_CHANGED, UNDO_CHANGED)


def _message(request, text: str, *, error: bool = False, status: int = 200) -> HttpResponse:
    return render(request, "listings/grid.html#message", {"text": text, "error": error}, status=status)


@dataclass(frozen=True)
class Selection:
    listings: Any
    count: int
    all_matching: bool


def _selection(request) -> Selection | None:
    form = forms.SelectionForm(request.POST)
    if not form.is_valid():
        return None
    if form.cleaned_data["all_matching"]:
        listings, error = _filtered(request, request.POST)
        if error:
            return None
        return Selection(listings, listings.count(), True)
    listings = listings_for_user(request.user).filter(pk__in=form.cleaned_data["ids"])
    return Selection(listings, listings.count(), False)


def _invalid_message(request, exc: ListingInvalid) -> HttpResponse:
    text = " ".join(f"{LABELS.get(e.field, e.field)}: {e.message}" for e in exc.errors)
    return _message(request, text, error=True, status=422)


def _listings(count: int) -> str:
    return f"{count} listing{'' if count == 1 else 's'}"


class _FormInvalid(Exception):
    """A bulk action's own inputs were incomplete; the message says what to fix."""


def _valid(form, message: str):
    if not form.is_valid():
        raise _FormInvalid(message)
    return form.cleaned_data


# Each bulk action returns the message to show, or a response of its own
# (a preview, a confirmation question).
def _bulk_set(request, selection: Selection):
    data = _valid(forms.BulkSetForm(request.POST), "Choose a field to set.")
    values = {data["field"]: data["value"]}
    changed = listings_bulk_set(listings=selection.listings, values=values, actor=request.user)
    return f"Set {LABELS[data['field']].lower()} on {_listings(changed)}."


def _bulk_price(request, selection: Selection):
    data = _valid(forms.PriceAdjustForm(request.POST), "Enter the price change as a number.")
    change = {data["kind"]: data["change"]}
    changed = listings_price_adjust(listings=selection.listings, actor=request.user, **change)
    return f"Adjusted the price of {_listings(changed)}."


def _bulk_template(request, selection: Selection):
    data = _valid(forms.TemplateApplyForm(request.POST), "Choose a template.")
    template = template_get_for_user(request.user, data["template"])
    changed = template_apply(
        template=template, listings=selection.listings, actor=request.user, mode=data["mode"]
    )
    return f"Applied “{template.name}” to {_listings(changed)}."


def _bulk_find_replace(request, selection: Selection):
    data = _valid(forms.FindReplaceForm(request.POST), "Enter the text to find and tick at least one column.")
    preview = request.POST.get("preview") == "yes"
    result = listings_find_replace(listings=selection.listings, actor=request.user, preview=preview, **data)
    if preview:
        context = {"count": result["count"], "changes": result["changes"]}
        return render(request, "listings/grid.html#find_preview", context)
    return f"Replaced in {_listings(result['count'])}."


def _bulk_duplicate(request, selection: Selection):
    if selection.count > DUPLICATE_MAX:
        raise _FormInvalid(
            f"Duplicate at most {DUPLICATE_MAX} listings at a time; {selection.count} are selected."
        )
    for listing in selection.listings.order_by("id"):
        listing_duplicate(listing=listing, actor=request.user)
    return f"Duplicated {_listings(selection.count)}."


def _bulk_delete(request, selection: Selection):
    if request.POST.get("confirm") != "yes":
        context = {"count": selection.count, "all_matching": selection.all_matching}
        return render(request, "listings/grid.html#confirm_delete", context)
    return f"Deleted {_listings(listings_bulk_delete(listings=selection.listings, actor=request.user))}."


BULK_ACTIONS = {
    "set": _bulk_set,
    "price": _bulk_price,
    "template": _bulk_template,
    "find_replace": _bulk_find_replace,
    "duplicate": _bulk_duplicate,
    "delete": _bulk_delete,
}


@login_required
@require_POST
def bulk(request, action: str):
    """One action for the selected rows (or all matching the filters)."""
    if action not in BULK_ACTIONS:
        raise Http404("No such action.")
    selection = _selection(request)
    if selection is None:
        return _message(request, "Select at least one listing.", error=True, status=422)
    try:
        outcome = BULK_ACTIONS[action](request, selection)
    except _FormInvalid as exc:
        return _message(request, str(exc), error=True, status=422)
    except ListingInvalid as exc:
        return _invalid_message(request, exc)
    if isinstance(outcome, HttpResponse):
        return outcome
    return _notify(_message(request, outcome), ROWS_CHANGED, UNDO_CHANGED)


def _pasted_block(text: str) -> list[list[str]]:
    """Rows of cells from a spreadsheet's clipboard: tab-separated lines, with
    quoted cells that may hold tabs or line breaks (as Excel and Sheets write them)."""
    lines = list(csv.reader(io.StringIO(text.replace("\r\n", "\n")), delimiter="\t"))
    while lines and not any(cell.strip() for cell in lines[-1]):
        lines.pop()
    return lines


@login_required
@require_POST
def paste(request):
    """Fill cells from the focused one: the client sends the focused field, the
    ids and versions of the rows from the focused one down, and the clipboard."""
    field = request.POST.get("field", "")
    if field not in LISTING_FIELDS:
        return _message(request, "Focus a cell before pasting.", error=True, status=422)
    block = _pasted_block(request.POST.get("text", ""))
    if not block:
        return _message(request, "The clipboard has no cells to paste.", error=True, status=422)
    start = LISTING_FIELDS.index(field)
    width = min(max(len(line) for line in block), len(LISTING_FIELDS) - start)
    fields = LISTING_FIELDS[start : start + width]
    ids = [int_parameter(pk, name="ids") for pk in request.POST.getlist("ids") if pk][: len(block)]
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
        "updated": [_row(listing, base_url, errors_by_id.get(listing.pk)) for listing in result.updated],
        "created": [_row(listing, base_url) for listing in result.created],
        "problems": [(number, LABELS.get(e.field, e.field), e.message) for number, _, e in result.errors],
        "cells": sum(len(line[:width]) for line in block),
        "base_url": base_url,
    }
    response = render(request, "listings/grid.html#paste_report", context)
    return (
        _notify(response, COUNT_CHANGED, UNDO_CHANGED) if result.created else _notify(response, UNDO_CHANGED)
    )


# --- Templates ---------------------------------------------------------------


@login_required
@require_GET
def template_list(request):
    templates = templates_visible_to(request.user).select_related("owner")
    return render(
        request,
        "listings/templates.html",
        {"templates": templates, "add_form": forms.AddFromTemplateForm()},
    )


def _save_template(request, form, template=None):
    """Create or update through the services; model errors land on the form."""
    data = form.cleaned_data
    try:
        if template is None:
            return template_create(
                owner=request.user,
                name=data["name"],
                description=data["description"],
                is_public=data["is_public"],
                defaults=form.defaults(),
            )
        return template_update(
            template=template,
            data={
                "name": data["name"],
                "description": data["description"],
                "is_public": data["is_public"],
                "defaults": form.defaults(),
            },
            actor=request.user,
        )
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
        return None


@login_required
def template_form(request, pk: int | None = None):
    """Create (optionally from a row: ``?from=<listing id>``) or edit a template."""
    template = template_get_for_user(request.user, pk, writable=True) if pk else None
    defaults = None
    source = int_parameter(request.GET.get("from"), name="from")
    if template is None and source is not None:
        listing = listing_get_for_user(request.user, source)
        defaults = {name: value for name, value in listing.field_values().items() if value not in ("", None)}
    if request.method == "POST":
        form = forms.ListingTemplateForm(request.POST, template=template)
        if form.is_valid() and _save_template(request, form, template):
            messages.success(request, f"Template “{form.cleaned_data['name']}” saved.")
            return redirect("listings:templates")
    else:
        form = forms.ListingTemplateForm(template=template, defaults=defaults)
    return render(request, "listings/template_form.html", {"form": form, "template": template})


@login_required
def template_remove(request, pk: int):
    template = template_get_for_user(request.user, pk, writable=True)
    if request.method == "POST":
        template_delete(template=template, actor=request.user)
        messages.success(request, f"Template “{template.name}” deleted.")
        return redirect("listings:templates")
    return render(request, "listings/template_confirm_delete.html", {"template": template})


@login_required
@require_POST
def template_add_rows(request):
    """New rows that start with a template's defaults."""
    form = forms.AddFromTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a template and how many rows (1–500).")
        return redirect("listings:templates")
    template = template_get_for_user(request.user, form.cleaned_data["template"])
    try:
        row = clean_listing({"title": NEW_ROW_TITLE, "price": 0, **template.defaults})
    except ListingInvalid as exc:
        messages.error(request, f"Template “{template.name}” has invalid defaults: {exc}")
        return redirect("listings:templates")
    count = form.cleaned_data["count"]
    listings_create_many(owner=request.user, rows=[row] * count, actor=request.user)
    messages.success(request, f"Added {count} row{'s' if count != 1 else ''} from “{template.name}”.")
    return redirect("listings:grid")


# --- History -----------------------------------------------------------------


@login_required
@require_GET
def history(request, pk: int):
    listing = listing_get_for_user(request.user, pk)
    entries = listing_history(listing).select_related("actor")[:200]
    return render(request, "listings/listing_history.html", {"listing": listing, "entries": entries})


@login_required
@require_POST
def revert(request, pk: int, entry_pk: int):
    """Put the listing back as it was before one of its history entries."""
    listing = listing_get_for_user(request.user, pk)
    entry = listing_history_entry(listing, entry_pk)
    try:
        listing_revert(listing=listing, entry=entry, actor=request.user)
    except ListingInvalid as exc:
        messages.error(request, " ".join(error.message for error in exc.errors))
    else:
        messages.success(request, f"Reverted to before the change of {entry.created_at:%Y-%m-%d %H:%M:%S}.")
    return redirect("listings:history", pk=listing.pk)
