"""The template actions in words, for the history page (see ``audit.words``)."""

from collections.abc import Sequence

from django.urls import reverse

from audit.models import AuditEntry
from audit.words import Link, ObjectType, OperationFacts, register_action, register_object_type
from listing_templates.models import ListingTemplate
from listings.history_words import listings_noun

# Templates audited before the model moved to this app carry its old label.
TEMPLATE_TYPES = (ListingTemplate._meta.label_lower, "listings.listingtemplate")


def _named(verb: str):
    def headline(facts: OperationFacts) -> str:
        names = facts.sample[0].changes.get("name") if facts.sample else None
        name = (names[1] or names[0]) if isinstance(names, list) and len(names) == 2 else None
        return f"{verb} the template “{name}”" if name else f"{verb} a template"

    return headline


def template_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    names = ListingTemplate.objects.filter(owner=user, pk__in=ids).values_list("pk", "name")
    return {str(pk): Link(f"“{name}”", reverse("listing_templates:edit", args=[pk])) for pk, name in names}


def register() -> None:
    words = ObjectType("template", "templates", titles=template_titles)
    for object_type in TEMPLATE_TYPES:
        register_object_type(object_type, words)
    for action, label, headline in (
        (
            "template.apply",
            "Templates applied",
            lambda facts: f"applied a template to {listings_noun(facts)}",
        ),
        ("template.create", "Templates", _named("created")),
        ("template.update", "Templates", _named("changed")),
        ("template.delete", "Templates", _named("deleted")),
        ("template.use", "Templates", _named("used")),
    ):
        register_action(action, label, headline)
