"""What the listings' audit entries mean in words, for the history pages (see
``audit.words``): registered by ``ListingsConfig.ready``."""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.text import Truncator

from audit.models import AuditEntry
from audit.words import (
    Link,
    ObjectType,
    OperationFacts,
    noun,
    register_action,
    register_object_type,
    register_undo_offer,
)
from listings.models import Import, Listing, ListingTemplate, UndoStep

LISTING_TYPE = Listing._meta.label_lower
LISTING_LABELS = {
    "title": "Title",
    "price": "Price",
    "condition": "Condition",
    "description": "Description",
    "category": "Category",
    "offer_shipping": "Offer shipping",
}
QUOTED = ("title", "description", "category")


def listing_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in (None, ""):
        return "(empty)"
    if name in QUOTED:
        return f"“{Truncator(str(value)).chars(60)}”"
    return str(value)


def _title_in(entry: AuditEntry) -> str:
    before, after = (entry.changes.get("title") or [None, None])[:2]
    return str(after or before or f"Listing {entry.object_id}")


def listing_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    """The listings' titles now, linked to their history; a deleted one by the title
    its entries kept."""
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    current = dict(Listing.objects.filter(owner=user, pk__in=ids).values_list("pk", "title"))
    links = {}
    for entry in entries:
        if entry.object_id.isdigit() and int(entry.object_id) in current:
            pk = int(entry.object_id)
            links[entry.object_id] = Link(current[pk], reverse("listings:history", args=[pk]))
        elif entry.object_id.isdigit() and entry.object_id not in links:
            links[entry.object_id] = Link(f"{_title_in(entry)} (deleted)")
    return links


def _fields_phrase(facts: OperationFacts) -> str:
    names = [LISTING_LABELS[name].lower() for name in facts.changed_fields() if name in LISTING_LABELS]
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _listings(facts: OperationFacts) -> str:
    return noun(LISTING_TYPE, facts.count)


def _changed(facts: OperationFacts) -> str:
    fields = _fields_phrase(facts)
    return f"changed the {fields} of {_listings(facts)}" if fields else f"edited {_listings(facts)}"


def _price_change(facts: OperationFacts) -> str:
    """ "(−10 %)" when every sampled listing moved by the same percentage, "(−5.00)"
    when by the same amount; nothing when they differ (a floor at 0 was hit)."""
    pairs = []
    for entry in facts.sample:
        try:
            before, after = (Decimal(str(value)) for value in entry.changes["price"])
        except (KeyError, TypeError, ValueError, InvalidOperation):
            return ""
        pairs.append((before, after))
    if not pairs:
        return ""
    tenth = Decimal("0.1")
    percents = {((after - before) * 100 / before).quantize(tenth) for before, after in pairs if before}
    if len(percents) == 1 and all(before for before, _ in pairs):
        percent = percents.pop().normalize()
        return f" ({'+' if percent > 0 else '−'}{abs(percent):f} %)"
    amounts = {after - before for before, after in pairs}
    if len(amounts) == 1:
        amount = amounts.pop()
        return f" ({'+' if amount > 0 else '−'}{abs(amount):.2f})"
    return ""


def _price_adjusted(facts: OperationFacts) -> str:
    return f"changed the price of {_listings(facts)}{_price_change(facts)}"


def _replaced(facts: OperationFacts) -> str:
    return f"replaced text in the {_fields_phrase(facts) or 'text'} of {_listings(facts)}"


def _imported(facts: OperationFacts) -> str:
    summary = facts.sample[0].changes if facts.sample else {}
    files = ", ".join(summary.get("files") or []) or "a spreadsheet"
    parts = [
        f"{summary.get(key, 0):,} {word}"
        for key, word in (("created", "new"), ("updated", "updated"), ("skipped", "skipped"))
        if summary.get(key)
    ]
    return f"imported {files}" + (f": {', '.join(parts)}" if parts else "")


def _named_template(verb: str):
    def headline(facts: OperationFacts) -> str:
        names = (facts.sample[0].changes.get("name") or [None, None]) if facts.sample else [None, None]
        name = names[1] or names[0] if isinstance(names, list) else None
        return f"{verb} the template “{name}”" if name else f"{verb} a template"

    return headline


def template_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    names = dict(ListingTemplate.objects.filter(owner=user, pk__in=ids).values_list("pk", "name"))
    return {
        str(pk): Link(f"“{name}”", reverse("listings:template_edit", args=[pk])) for pk, name in names.items()
    }


def import_as_listing_entries(entry: AuditEntry) -> list[AuditEntry]:
    """An import's summary entry keeps its updates under ``changes``: one listing each."""
    updated = entry.changes.get("changes") if isinstance(entry.changes, dict) else None
    return [
        AuditEntry(object_type=LISTING_TYPE, object_id=str(pk), changes=changes)
        for pk, changes in (updated or {}).items()
    ]


def import_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    found = Import.objects.filter(owner=user, pk__in=ids).values_list("pk", flat=True)
    return {str(pk): Link(f"Import {pk}", reverse("listings:import_detail", args=[pk])) for pk in found}


def newest_undoable(user, batches: Sequence[Any]) -> dict[Any, str]:
    """The one change the Undo button undoes now: the newest step not undone yet.
    (Undoing a chosen older operation needs the per-operation undo of the changeset
    engine; it will offer more batches here.)"""
    newest = UndoStep.objects.filter(user=user, undone=False).order_by("-id").values_list("batch", flat=True)
    batch = newest.first()
    return {batch: reverse("listings:undo")} if batch is not None and batch in batches else {}


def register() -> None:
    register_object_type(
        LISTING_TYPE,
        ObjectType("listing", "listings", fields=LISTING_LABELS, value=listing_value, titles=listing_titles),
    )
    register_object_type(
        ListingTemplate._meta.label_lower,
        ObjectType("template", "templates", titles=template_titles),
    )
    register_object_type(
        Import._meta.label_lower,
        ObjectType("import", "imports", titles=import_titles, expand=import_as_listing_entries),
    )
    register_undo_offer(newest_undoable)
    for action, label, headline in (
        ("listing.create", "Listings added", lambda facts: f"added {_listings(facts)}"),
        ("listing.duplicate", "Listings duplicated", lambda facts: f"duplicated {_listings(facts)}"),
        ("listing.update", "Listings edited", _changed),
        ("listing.bulk_set", "Listings edited", _changed),
        ("listing.price_adjust", "Price changes", _price_adjusted),
        ("listing.find_replace", "Find and replace", _replaced),
        ("listing.delete", "Listings deleted", lambda facts: f"deleted {_listings(facts)}"),
        ("listing.revert", "Reverts", lambda facts: f"reverted {_listings(facts)} to an earlier version"),
        ("listing.undo", "Undo", lambda facts: f"undid a change to {_listings(facts)}"),
        ("listing.redo", "Redo", lambda facts: f"redid a change to {_listings(facts)}"),
        ("listing.import", "Imports", _imported),
        ("template.apply", "Templates applied", lambda facts: f"applied a template to {_listings(facts)}"),
        ("template.create", "Templates", _named_template("created")),
        ("template.update", "Templates", _named_template("changed")),
        ("template.delete", "Templates", _named_template("deleted")),
        ("template.use", "Templates", _named_template("used")),
    ):
        register_action(action, label, headline)
