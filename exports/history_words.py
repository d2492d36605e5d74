"""The export action in words, for the history page (see ``audit.words``)."""

from audit.words import OperationFacts, noun, register_action
from exports.formats import FORMATS


def _exported(facts: OperationFacts) -> str:
    details = facts.sample[0].changes if facts.sample else {}
    export_format = FORMATS.get(details.get("format"))
    count = details.get("count")
    what = noun("listings.listing", count) if isinstance(count, int) else "listings"
    return f"exported {what}" + (f" as {export_format.label}" if export_format else "")


def register() -> None:
    register_action("listing.export", "Exports", _exported)
