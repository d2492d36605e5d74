"""The spreadsheet page: the grid, its cells and rows, undo and redo. Full page loads
render ``listings/grid.html``; HTMX requests render one of its named partials."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from audit.words import action_label
from listings import forms
from listings.categories import suggest_categories
from listings.fields import FIELD_LABELS, LISTING_FIELDS, Condition, Source, Status
from listings.filters import registered_filters
from listings.models import Listing
from listings.selectors import (
    NEW_ROW_TITLE,
    FilterError,
    grid_layout_for,
    listing_get_for_user,
    listing_history,
    listings_count,
    listings_empty,
    listings_filtered,
    listings_for_user,
    saved_views_for,
    undo_redo_depth,
)
from listings.services.bulk import (
    listing_duplicate,
    listings_bulk_delete,
)
from listings.services.changes import (
    VersionConflict,
    listing_create,
    listing_delete,
    listing_update,
)
from listings.services.undo import NothingToUndo, NotUndoable, redo_last, undo_last
from marketplace.errors import InvalidInput
from marketplace.html_errors import error_text
from marketplace.input import MAX_BIGINT, int_parameter, whole_number

# Rows per request: two screens; scrolling to the end loads the next ones.
PAGE_SIZE = 50
COLUMNS = tuple((name, FIELD_LABELS[name]) for name in LISTING_FIELDS)
LABELS = dict(COLUMNS)
# Query parameters that make up what the grid shows; kept in the URL.
VIEW_STATE = (
    "q",
    "condition",
    "category",
    "price_min",
    "price_max",
    "offer_shipping",
    "has_warnings",
    "source",
    "status",
    "brand",
    "ebay_category_id",
    "duplicates",
    "ordering",
)
# Only what a row shows: the JSON of imported extra columns stays in the database.
ROW_COLUMNS = ("id", "version", "warnings", *LISTING_FIELDS)
# Rows changed on the server: the grid reloads its table (see grid.html).
ROWS_CHANGED = "rows-changed"
# Rows were added or removed in place: the "X of Y" count refreshes.
COUNT_CHANGED = "count-changed"
# A change was recorded (or undone): the undo and redo buttons refresh.
UNDO_CHANGED = "undo-changed"
# A description or notes cell shows its first characters; the editor has the rest.
DESCRIPTION_SHOWN = 120
LONG_TEXT_FIELDS = ("description", "notes")


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
        if self.value is None:
            return ""
        if self.field == "status":
            return Status(self.value).label
        if self.field == "offer_shipping":
            return "Yes" if self.value else "No"
        if self.field in LONG_TEXT_FIELDS:
            return Truncator(self.value).chars(DESCRIPTION_SHOWN)
        return str(self.value)

    @property
    def shortened(self) -> bool:
        """The cell shows less than it holds (copying it takes the whole value)."""
        return self.field in LONG_TEXT_FIELDS and len(self.value) > DESCRIPTION_SHOWN

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


def grid_row(listing: Listing, base_url: str, errors: dict[str, str] | None = None) -> Row:
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
    names = (*VIEW_STATE, *(listing_filter.name for listing_filter in registered_filters()))
    return {name: params.get(name, "") for name in names}


def _scoped_filters(request, state: dict[str, str]) -> list[dict[str, str]]:
    """The other apps' filters in use ("Listings from import 12"), each with the
    address of the grid without it."""
    scoped = []
    for listing_filter in registered_filters():
        if value := state.get(listing_filter.name):
            try:
                text = listing_filter.describe(request.user, value)
            except FilterError as exc:
                text = exc.message
            rest = {name: item for name, item in state.items() if item and name != listing_filter.name}
            clear = urlencode(rest)
            scoped.append({"name": listing_filter.name, "value": value, "text": text, "clear": clear})
    return scoped


def filtered_listings(request, params):
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
    listings, error = filtered_listings(request, params)
    # The slice's end (offset + a page) must fit a bigint too.
    offset = int_parameter(params.get("offset"), name="offset", default=0, maximum=MAX_BIGINT - PAGE_SIZE - 1)
    page = list(listings.only(*ROW_COLUMNS)[offset : offset + PAGE_SIZE + 1])
    query = {name: value for name, value in state.items() if value}
    base_url = reverse("listings:grid")
    return {
        "rows": [grid_row(listing, base_url) for listing in page[:PAGE_SIZE]],
        "next_offset": offset + PAGE_SIZE if len(page) > PAGE_SIZE else None,
        "state": state,
        "query_string": urlencode(query),
        "headers": _column_headers(query),
        "filter_error": error,
        "scoped_filters": _scoped_filters(request, state),
        "sources": Source.choices,
        "statuses": Status.choices,
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
        bulk_fields=forms.BULK_FIELDS,
        mark_statuses=forms.MARK_STATUSES,
        find_fields=forms.FindReplaceForm.FIELDS,
        depth=undo_redo_depth(request.user),
        layout=grid_layout_for(request.user),
        saved_views=saved_views_for(request.user),
    )
    return render(request, "listings/grid.html", context)


@login_required
@require_GET
def grid_count(request):
    """The "X of Y" count. Counting is the slow part at 100,000 rows, so the
    table loads first and asks for its count separately."""
    listings, _ = filtered_listings(request, request.GET)
    return render(
        request,
        "listings/grid.html#count",
        {
            "matching": listings_count(request.user, listings, request.GET),
            "total": listings_count(request.user, listings_for_user(request.user), {}),
        },
    )


def _cell_response(request, listing, field, state, *, status=200, **extra):
    cell_kwargs = {name: extra.pop(name) for name in ("value", "error") if name in extra}
    context = {
        "cell": _cell(listing, field, reverse("listings:grid"), state=state, **cell_kwargs),
        "conditions": Condition.values,
        "statuses": Status.choices,
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
    except InvalidInput as exc:
        message = error_text(exc)
        return _cell_response(request, listing, field, "error", value=value, error=message, status=422)
    except VersionConflict as exc:
        latest = listing_history(exc.listing).select_related("actor").first()
        return _cell_response(
            request, exc.listing, field, "conflict", status=409, mine=value, latest_change=latest
        )
    # The row's warning marker follows the saved value (see grid.html#cell).
    warnings = grid_row(listing, reverse("listings:grid"))
    response = _cell_response(request, listing, field, "saved", oob_warnings=warnings)
    return notify(response, UNDO_CHANGED)


@login_required
@require_GET
def category_suggest(request):
    # A cell editor sends its input as "value"; the grid's filter and the template
    # form name theirs "category".
    term = request.GET.get("value") or request.GET.get("category") or ""
    return render(request, "listings/grid.html#category_options", {"categories": suggest_categories(term)})


def notify(response: HttpResponse, *events: str) -> HttpResponse:
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
    context = {"row": grid_row(listing, base_url), "base_url": base_url, "new": True}
    return notify(render(request, "listings/grid.html#row", context), COUNT_CHANGED, UNDO_CHANGED)


@login_required
@require_POST
def row_delete(request, pk: int):
    listing = listing_get_for_user(request.user, pk)
    listing_delete(listing=listing, actor=request.user)
    # An empty 200 lets htmx remove the row; the count is refreshed.
    return notify(HttpResponse(""), COUNT_CHANGED, UNDO_CHANGED)


@login_required
@require_POST
def row_duplicate(request, pk: int):
    listing = listing_duplicate(listing=listing_get_for_user(request.user, pk), actor=request.user)
    base_url = reverse("listings:grid")
    context = {"row": grid_row(listing, base_url), "base_url": base_url}
    response = render(request, "listings/grid.html#row", context)
    return notify(response, COUNT_CHANGED, UNDO_CHANGED)


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
    except (NothingToUndo, NotUndoable) as exc:
        return grid_message(request, str(exc), error=True, status=422)
    done = "Undone" if direction == "undo" else "Redone"
    plural = "" if outcome.listings == 1 else "s"
    # The step's action in the history's words ("Price changes"), never its code.
    what = action_label(outcome.action).lower()
    return notify(
        grid_message(request, f"{done}: {what} ({outcome.listings} listing{plural})."),
        ROWS_CHANGED,
        UNDO_CHANGED,
    )


@login_required
@require_POST
def rows_remove_empty(request):
    removed = listings_bulk_delete(listings=listings_empty(request.user), actor=request.user)
    plural = "" if removed == 1 else "s"
    return notify(grid_message(request, f"Removed {removed} empty row{plural}."), ROWS_CHANGED, UNDO_CHANGED)


def grid_message(request, text: str, *, error: bool = False, status: int = 200) -> HttpResponse:
    return render(request, "listings/grid.html#message", {"text": text, "error": error}, status=status)
