"""The grid's column layout per seller and their saved views: the writes (reads
are in ``listings.selectors``).

A layout is a display preference, like the light/dark theme: its writes are not
audited (the audit log is what happened to a seller's data, and a column drag
would flood it). Saved views are the seller's named things and are audited."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import audit_record
from listings.fields import LISTING_FIELDS
from listings.models import GridLayout, SavedView

# A column narrower than this cannot show its header; wider than a screen is a slip.
WIDTH_MIN, WIDTH_MAX = 40, 2000
SAVED_VIEWS_MAX = 30
# What a saved view may keep of the grid's address: its filters and its sort.
VIEW_PARAMETERS = ("q", "condition", "category", "offer_shipping", "has_warnings", "ordering")


def clean_columns(value: Any) -> dict[str, Any]:
    """A layout as stored: known fields only, each once, widths in range. Raises
    ``ValidationError`` naming what is wrong."""
    if not isinstance(value, Mapping):
        raise ValidationError("A layout is an object with order, hidden and widths.")
    order, hidden, widths = value.get("order", []), value.get("hidden", []), value.get("widths", {})
    if not isinstance(order, list) or not isinstance(hidden, list) or not isinstance(widths, Mapping):
        raise ValidationError("order and hidden are lists of columns, widths an object.")
    unknown = {str(name) for name in [*order, *hidden, *widths] if name not in LISTING_FIELDS}
    if unknown:
        raise ValidationError(f"Unknown columns: {', '.join(sorted(unknown))}.")
    if len(set(order)) != len(order):
        raise ValidationError("A column appears twice in the order.")
    if "title" in hidden:
        raise ValidationError("The title column cannot be hidden.")
    clean_widths = {}
    for name, width in widths.items():
        number = isinstance(width, int | float) and not isinstance(width, bool)
        if not number or not WIDTH_MIN <= width <= WIDTH_MAX:
            raise ValidationError(f"The width of {name} must be {WIDTH_MIN}–{WIDTH_MAX} pixels.")
        clean_widths[name] = round(width)
    # Columns the order lacks (e.g. added to the product later) go at the end.
    full_order = [*order, *(name for name in LISTING_FIELDS if name not in order)]
    return {"order": full_order, "hidden": sorted(set(hidden)), "widths": clean_widths}


def clean_view_query(query: str) -> str:
    """The filters and sort of a grid address, without anything else (offsets,
    unknown names), in a stable order."""
    pairs = [(name, value) for name, value in parse_qsl(query.lstrip("?")) if name in VIEW_PARAMETERS]
    pairs = [(name, value) for name, value in pairs if value]
    return urlencode(sorted(pairs))


@transaction.atomic
def grid_layout_save(*, user: User, columns: Any) -> dict[str, Any]:
    cleaned = clean_columns(columns)
    GridLayout.objects.update_or_create(user=user, defaults={"columns": cleaned})
    return cleaned


@transaction.atomic
def grid_layout_reset(*, user: User) -> None:
    GridLayout.objects.filter(user=user).delete()


def _views_count(owner: User) -> int:
    return SavedView.objects.filter(owner=owner).count()


@transaction.atomic
def saved_view_create(*, owner: User, name: str, query: str, columns: Any) -> SavedView:
    name = name.strip()
    if not name:
        raise ValidationError("Give the view a name.")
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ValidationError("A view's name has at most 60 characters.")
    if _views_count(owner) >= SAVED_VIEWS_MAX:
        raise ValidationError(f"At most {SAVED_VIEWS_MAX} saved views; delete one first.")
    query = clean_view_query(query)
    if len(query) > SavedView._meta.get_field("query").max_length:
        raise ValidationError("These filters are too long to save as a view.")
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                owner=owner, name=name, query=query, columns=clean_columns(columns)
            )
    except IntegrityError as exc:
        raise ValidationError(f"You already have a view called “{name}”.") from exc
    audit_record(actor=owner, action="saved_view.create", obj=view, changes={"name": name, "query": query})
    return view


@transaction.atomic
def saved_view_apply(*, view: SavedView) -> str:
    """Make the view's columns the seller's layout; returns the grid query to open."""
    grid_layout_save(user=view.owner, columns=view.columns)
    return view.query


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    audit_record(actor=actor, action="saved_view.delete", obj=view, changes={"name": view.name})
    view.delete()
