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
from listings.fields import FIELD_LABELS
from listings.models import Listing, UndoStep

LISTING_TYPE = Listing._meta.label_lower
LISTING_LABELS = FIELD_LABELS
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


def listings_noun(facts: OperationFacts) -> str:
    return noun(LISTING_TYPE, facts.count)


def _changed(facts: OperationFacts) -> str:
    fields = _fields_phrase(facts)
    return f"changed the {fields} of {listings_noun(facts)}" if fields else f"edited {listings_noun(facts)}"


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
    return f"changed the price of {listings_noun(facts)}{_price_change(facts)}"


def _replaced(facts: OperationFacts) -> str:
    return f"replaced text in the {_fields_phrase(facts) or 'text'} of {listings_noun(facts)}"


def undoable_operations(user, batches: Sequence[Any]) -> dict[Any, str]:
    """An Undo button for each of these operations the user can still undo (one undo
    step of theirs, not undone). Whether a later change stands in the way is checked
    when it is pressed; the answer then says which listings and what to undo first."""
    steps = UndoStep.objects.filter(user=user, undone=False, batch__in=list(batches)).values_list(
        "batch", flat=True
    )
    return {batch: reverse("listings:operation_undo", args=[batch]) for batch in steps}


def register() -> None:
    register_object_type(
        LISTING_TYPE,
        ObjectType("listing", "listings", fields=LISTING_LABELS, value=listing_value, titles=listing_titles),
    )
    register_undo_offer(undoable_operations)
    for action, label, headline in (
        ("listing.create", "Listings added", lambda facts: f"added {listings_noun(facts)}"),
        ("listing.duplicate", "Listings duplicated", lambda facts: f"duplicated {listings_noun(facts)}"),
        ("listing.update", "Listings edited", _changed),
        ("listing.bulk_set", "Listings edited", _changed),
        ("listing.price_adjust", "Price changes", _price_adjusted),
        ("listing.find_replace", "Find and replace", _replaced),
        ("listing.delete", "Listings deleted", lambda facts: f"deleted {listings_noun(facts)}"),
        # Actions only undo steps carry (their entries are listing.delete, create, update).
        ("listing.bulk_delete", "Listings deleted", lambda facts: f"deleted {listings_noun(facts)}"),
        ("listing.bulk_upsert", "Listings edited", lambda facts: f"saved {listings_noun(facts)}"),
        (
            "listing.archive_duplicates",
            "Duplicates archived",
            lambda facts: f"archived {listings_noun(facts)} as duplicates",
        ),
        ("listing.revert", "Reverts", lambda facts: f"reverted {listings_noun(facts)} to an earlier version"),
        ("listing.undo", "Undo", lambda facts: f"undid a change to {listings_noun(facts)}"),
        ("listing.redo", "Redo", lambda facts: f"redid a change to {listings_noun(facts)}"),
    ):
        register_action(action, label, headline)
