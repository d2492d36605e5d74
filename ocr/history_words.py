"""The OCR actions in words, for the history page (see ``audit.words``)."""

from collections.abc import Sequence

from django.urls import reverse

from audit.models import AuditEntry
from audit.words import Link, ObjectType, OperationFacts, noun, register_action, register_object_type
from listings.history_words import LISTING_LABELS, listing_value
from ocr.models import Candidate, Scan


def scan_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    names = Scan.objects.filter(owner=user, pk__in=ids).values_list("pk", "original_name")
    return {str(pk): Link(name, reverse("ocr:review", args=[pk])) for pk, name in names}


def _made_from_scan(facts: OperationFacts) -> str:
    return f"added {noun('listings.listing', facts.count)} from a scan"


def register() -> None:
    register_object_type(Scan._meta.label_lower, ObjectType("scan", "scans", titles=scan_titles))
    candidate = ObjectType("scanned item", "scanned items", fields=LISTING_LABELS, value=listing_value)
    register_object_type(Candidate._meta.label_lower, candidate)
    for action, label, headline in (
        ("ocr.scan.create", "Scans", "uploaded a scan"),
        ("ocr.scan.convert", "Scans", "turned a scan into listings"),
        ("ocr.scan.delete", "Scans", "deleted a scan"),
        ("ocr.page.rerun", "Scans", "had a scan page read again"),
        ("ocr.candidate.update", "Scans", "corrected an item read from a scan"),
        ("listing.create_from_ocr", "Listings added", _made_from_scan),
    ):
        register_action(action, label, headline)
