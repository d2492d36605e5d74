"""What the audit log's codes mean in words, told by the apps that write them.

``audit`` imports no other app, so each app registers, in its ``AppConfig.ready``:
- its actions (``register_action``): a label for the history page's Action filter and
  a headline for an operation ("changed the price of 3 listings (−10 %)");
- its object types (``register_object_type``): the nouns, the field labels, how a
  value reads, and the titles and links of objects ("Oak table" → its history page);
- an undo offer (``register_undo_offer``): which operations can be undone now, and
  the address that does it.

Nothing registered for a code is shown as a plain description, never as the code.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from audit.models import AuditEntry


@dataclass(frozen=True)
class OperationFacts:
    """What a headline may use: how many entries, and the first few of them."""

    action: str
    count: int
    sample: Sequence[AuditEntry]

    def changed_fields(self) -> list[str]:
        """The fields the sampled entries change, in the order first seen."""
        names: dict[str, None] = {}
        for entry in self.sample:
            names.update(dict.fromkeys(entry.changes))
        return list(names)


Headline = Callable[[OperationFacts], str]


@dataclass(frozen=True)
class ActionWords:
    label: str  # the Action filter's option: "Price changes"
    headline: Headline  # the operation's line, after "You": "changed the price of 3 listings"


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None


# (the user, entries of one object type) -> {object id: its title and link}
Titles = Callable[[Any, Sequence[AuditEntry]], Mapping[str, Link]]


@dataclass(frozen=True)
class ObjectType:
    singular: str
    plural: str
    # Field -> label, in the order lines are shown; other fields (bookkeeping such as
    # the owner) stay out of what a seller reads.
    fields: Mapping[str, str] = field(default_factory=dict)
    # A field's value in words; the default reads booleans as Yes/No.
    value: Callable[[str, Any], str] | None = None
    titles: Titles | None = None
    # A summary entry (one for a whole import) as entries about each object it changed.
    expand: Callable[[AuditEntry], list[AuditEntry]] | None = None

    def noun(self, count: int) -> str:
        return f"{count:,} {self.singular if count == 1 else self.plural}"


# (the user, the batches of the operations on a page) -> {batch: undo address}
UndoOffer = Callable[[Any, Sequence[Any]], Mapping[Any, str]]

_ACTIONS: dict[str, ActionWords] = {}
_OBJECT_TYPES: dict[str, ObjectType] = {}
_UNDO_OFFERS: list[UndoOffer] = []


def register_action(action: str, label: str, headline: Headline | str) -> None:
    """``headline`` is a function of ``OperationFacts`` or a fixed text."""
    words = headline if callable(headline) else (lambda facts, text=headline: text)
    _ACTIONS[action] = ActionWords(label=label, headline=words)


def register_object_type(object_type: str, words: ObjectType) -> None:
    _OBJECT_TYPES[object_type] = words


def register_undo_offer(offer: UndoOffer) -> None:
    _UNDO_OFFERS.append(offer)


def kind_of(action: str) -> str:
    """The Action filter's value for ``action``: its label as a slug ("price-changes"),
    shared by the actions that read alike (an edit and a bulk edit)."""
    return slugify(action_label(action))


def actions_of_kind(kind: str, among: Iterable[str]) -> list[str]:
    return [action for action in among if kind_of(action) == kind]


def action_label(action: str) -> str:
    words = _ACTIONS.get(action)
    return words.label if words else "Other changes"


def headline(facts: OperationFacts) -> str:
    words = _ACTIONS.get(facts.action)
    if words is not None:
        return words.headline(facts)
    return f"made {facts.count:,} change{'' if facts.count == 1 else 's'}"


def object_type(name: str) -> ObjectType | None:
    return _OBJECT_TYPES.get(name)


def noun(object_type_name: str, count: int) -> str:
    words = _OBJECT_TYPES.get(object_type_name)
    return words.noun(count) if words else f"{count:,} item{'' if count == 1 else 's'}"


def value_text(words: ObjectType | None, name: str, value: Any) -> str:
    if words is not None and words.value is not None:
        return words.value(name, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in (None, ""):
        return "(empty)"
    return str(value)


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str | None  # None: the field had no value before (the object was created)
    after: str | None  # None: the object is gone

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.label} {self.after}"
        if self.after is None:
            return f"{self.label} was {self.before}"
        return f"{self.label} {self.before} → {self.after}"


def change_lines(entry: AuditEntry) -> list[ChangeLine]:
    """The entry's field changes in words ("Price 18.00 → 16.20"), in the object
    type's field order; fields it does not name stay out of sight."""
    words = _OBJECT_TYPES.get(entry.object_type)
    if words is None or not isinstance(entry.changes, Mapping):
        return []
    lines = []
    for name, label in words.fields.items():
        change = entry.changes.get(name)
        if not isinstance(change, (list, tuple)) or len(change) != 2:
            continue
        before, after = change
        lines.append(
            ChangeLine(
                label,
                None if before is None else value_text(words, name, before),
                None if after is None else value_text(words, name, after),
            )
        )
    return lines


def expanded(entry: AuditEntry) -> list[AuditEntry]:
    words = _OBJECT_TYPES.get(entry.object_type)
    if words is not None and words.expand is not None:
        return [entry, *words.expand(entry)]
    return [entry]


def titles(user, entries: Iterable[AuditEntry]) -> dict[tuple[str, str], Link]:
    """``{(object type, object id): Link}`` for the entries, one lookup per type."""
    by_type: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.object_type, []).append(entry)
    found: dict[tuple[str, str], Link] = {}
    for name, typed in by_type.items():
        words = _OBJECT_TYPES.get(name)
        if words is None or words.titles is None:
            continue
        for object_id, link in words.titles(user, typed).items():
            found[(name, object_id)] = link
    return found


def undo_addresses(user, batches: Sequence[Any]) -> dict[Any, str]:
    addresses: dict[Any, str] = {}
    for offer in _UNDO_OFFERS:
        addresses.update(offer(user, batches))
    return addresses
