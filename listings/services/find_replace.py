"""Find & replace in the text fields of many listings, with a preview.

Patterns run on RE2 (google-re2), whose matching time is linear in the text: no
pattern, however nested, can backtrack for minutes the way ``(a+)+$`` does in Python's
``re``. The find, the replacement and the compiled pattern have size limits
(settings ``FIND_REPLACE_MAX_FIND``, ``FIND_REPLACE_MAX_REPLACE``,
``FIND_REPLACE_MAX_PATTERN_MEMORY``), and each field's new length is computed from the
matches before the new text is built, so a replacement that would outgrow the field
is refused without ever being made.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from audit.services import field_changes
from listings.concurrency import serialised_per_user
from listings.fields import CATEGORY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, LISTING_FIELDS, TITLE_MAX_LENGTH
from listings.models import Listing
from listings.services.changes import CHUNK, bulk_change
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput

FIND_REPLACE_FIELDS = ("title", "description", "category")
MAX_LENGTHS = {
    "title": TITLE_MAX_LENGTH,
    "description": DESCRIPTION_MAX_LENGTH,
    "category": CATEGORY_MAX_LENGTH,
}

FIND_REPLACE_PREVIEW_CHANGES = 20
# A word character, as Python's ``\w`` has it; RE2's own ``\b`` knows only ASCII words,
# which would find "caf" inside "café".
_WORD = r"\p{L}\p{N}_"
# In a replacement: \1 or \g<1> or \g<name> (a group), or an escaped character.
_TEMPLATE_TOKEN = re.compile(r"\\(?:g<([^>]*)>|([0-9]{1,2})|(.))", re.DOTALL)
_TEMPLATE_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
# Each reference is copied once per match (a description may have 5,000 matches).
MAX_GROUP_REFERENCES = 100


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


@dataclass(frozen=True)
class Search:
    """A compiled find with its replacement. The replacement is a sequence of parts:
    text, or the number of a group (as the user numbers them) to copy from the match.

    With ``whole_word`` the pattern is ``(?:^|[^w])(find)(?:[^w]|$)``: group 1 is the
    find, and each of the user's own groups is one further on."""

    pattern: Any  # re2._Regexp
    whole_word: bool
    replacement: tuple[str | int, ...]

    def spans(self, text: str) -> Iterator[Any]:
        """The matches in ``text``, left to right, none overlapping."""
        if not self.whole_word:
            yield from self.pattern.finditer(text)
            return
        # The characters around a word are matched, not just looked at (RE2 has no
        # look-around), so each search starts again where the last word ended: the
        # character after it may be the one before the next.
        position = 0
        while position <= len(text) and (match := self.pattern.search(text, position)):
            yield match
            start, end = match.span(1)
            position = end if end > start else end + 1

    def _span(self, match) -> tuple[int, int]:
        return match.span(1) if self.whole_word else match.span()

    def _part(self, match, part: str | int) -> str:
        if isinstance(part, str):
            return part
        return match.group(part + 1 if self.whole_word else part) or ""

    def new_length(self, text: str) -> tuple[int, bool]:
        """The length ``text`` would have after the replacement, and whether it changes;
        counted from the matches, without building the new text."""
        length, found = len(text), False
        for match in self.spans(text):
            found = True
            start, end = self._span(match)
            length -= end - start
            length += sum(len(self._part(match, part)) for part in self.replacement)
        return length, found

    def replace(self, text: str) -> str:
        pieces, last = [], 0
        for match in self.spans(text):
            start, end = self._span(match)
            pieces.append(text[last:start])
            pieces += [self._part(match, part) for part in self.replacement]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)


def _replacement(
    template: str, *, regex: bool, groups: int, names: Mapping[str, int]
) -> tuple[str | int, ...]:
    """``template`` as parts; with ``regex`` it may name groups as Python's ``re`` does."""
    if not regex:
        return (template,) if template else ()
    parts: list[str | int] = []
    last = 0
    for token in _TEMPLATE_TOKEN.finditer(template):
        parts.append(template[last : token.start()])
        named, numbered, escaped = token.groups()
        if escaped is not None:
            if escaped not in _TEMPLATE_ESCAPES:
                raise _invalid("replace", f"Bad replacement: unknown escape \\{escaped}.")
            parts.append(_TEMPLATE_ESCAPES[escaped])
        else:
            reference = named if named is not None else numbered
            number = int(reference) if reference.isascii() and reference.isdigit() else names.get(reference)
            if number is None or number > groups:
                raise _invalid("replace", f"Bad replacement: the pattern has no group {reference[:40]}.")
            parts.append(number)
        last = token.end()
    parts.append(template[last:])
    if sum(isinstance(part, int) for part in parts) > MAX_GROUP_REFERENCES:
        raise _invalid("replace", f"Bad replacement: use at most {MAX_GROUP_REFERENCES} group references.")
    return tuple(part for part in parts if part != "")


def find_replace_search(
    *, find: str, replace: str = "", match_case: bool = False, whole_word: bool = False, regex: bool = False
) -> Search:
    """The compiled search; raises ``InvalidInput`` on an empty, oversized or bad pattern."""
    if not find:
        raise _invalid("find", "Enter the text to find.")
    if len(find) > settings.FIND_REPLACE_MAX_FIND:
        limit = settings.FIND_REPLACE_MAX_FIND
        raise _invalid("find", f"Find at most {limit:,} characters; got {len(find):,}.")
    if len(replace) > settings.FIND_REPLACE_MAX_REPLACE:
        limit = settings.FIND_REPLACE_MAX_REPLACE
        raise _invalid("replace", f"Replace with at most {limit:,} characters; got {len(replace):,}.")
    source = find if regex else re2.escape(find)
    if whole_word:
        source = rf"(?:^|[^{_WORD}])({source})(?:[^{_WORD}]|$)"
    options = re2.Options()
    options.case_sensitive = match_case
    options.max_mem = settings.FIND_REPLACE_MAX_PATTERN_MEMORY
    options.log_errors = False
    try:
        pattern = re2.compile(source, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise _invalid("find", f"Not a valid regular expression: {reason}.") from exc
    groups = pattern.groups - (1 if whole_word else 0)
    names = {name: number - (1 if whole_word else 0) for name, number in pattern.groupindex.items()}
    return Search(pattern, whole_word, _replacement(replace, regex=regex, groups=groups, names=names))


@transaction.atomic
@serialised_per_user
def listings_find_replace(
    *,
    listings: QuerySet[Listing],
    fields: Sequence[str],
    find: str,
    replace: str,
    match_case: bool = False,
    whole_word: bool = False,
    regex: bool = False,
    actor: User,
    preview: bool = False,
) -> dict[str, Any]:
    """Replace ``find`` in the text ``fields`` of ``listings``. With ``preview`` nothing
    is written: ``{"count": listings that would change, "changes": the first few
    [{id, field, before, after}]}``; otherwise ``{"count": listings changed}``.
    With ``regex`` the replacement may use ``\\1`` group references."""
    unknown = [name for name in fields if name not in FIND_REPLACE_FIELDS]
    if not fields or unknown:
        raise InvalidInput([FieldError("fields", f"Choose among: {', '.join(FIND_REPLACE_FIELDS)}.")])
    search = find_replace_search(
        find=find, replace=replace, match_case=match_case, whole_word=whole_word, regex=regex
    )

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        found = {}
        for name in fields:
            text = row[name] or ""
            length, matched = search.new_length(text)
            if not matched:
                continue
            if length > MAX_LENGTHS[name]:
                message = f"the {name} would have {length:,} characters; the most is {MAX_LENGTHS[name]:,}."
                raise _invalid(name, message)
            new = search.replace(text)
            if new != text:
                found[name] = new
        return clean_listing(found, partial=True) if found else {}

    if not preview:
        return {
            "count": bulk_change(
                listings=listings, actor=actor, action="listing.find_replace", compute=compute
            )
        }
    count, changes = 0, []
    for row in listings.order_by("id").values("id", *LISTING_FIELDS).iterator(chunk_size=CHUNK):
        try:
            updates = compute(row)
        except InvalidInput as exc:
            raise InvalidInput(
                [FieldError(e.field, f"Listing {row['id']}: {e.message}") for e in exc.errors]
            ) from exc
        diff = field_changes(row, updates)
        if not diff:
            continue
        count += 1
        for name, (before, after) in diff.items():
            if len(changes) < FIND_REPLACE_PREVIEW_CHANGES:
                changes.append({"id": row["id"], "field": name, "before": before, "after": after})
    return {"count": count, "changes": changes}
