"""The import's audit entry in words, for the history page (see ``audit.words``)."""

from collections.abc import Sequence

from django.urls import reverse

from audit.models import AuditEntry
from audit.words import Link, ObjectType, OperationFacts, register_action, register_object_type
from imports.models import IMPORT_AUDIT_TYPES, Import
from listings.history_words import LISTING_TYPE


def _imported(facts: OperationFacts) -> str:
    summary = facts.sample[0].changes if facts.sample else {}
    files = ", ".join(summary.get("files") or []) or "a spreadsheet"
    parts = [
        f"{summary.get(key, 0):,} {word}"
        for key, word in (("created", "new"), ("updated", "updated"), ("skipped", "skipped"))
        if summary.get(key)
    ]
    return f"imported {files}" + (f" ({', '.join(parts)})" if parts else "")


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
    return {str(pk): Link(f"Import {pk}", reverse("imports:detail", args=[pk])) for pk in found}


def register() -> None:
    words = ObjectType("import", "imports", titles=import_titles, expand=import_as_listing_entries)
    for object_type in IMPORT_AUDIT_TYPES:
        register_object_type(object_type, words)
    register_action("listing.import", "Imports", _imported)
