"""Find & replace in the text fields of many listings, with a preview."""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from audit.services import field_changes
from listings.concurrency import serialised_per_user
from listings.fields import LISTING_FIELDS
from listings.models import Listing
from listings.services.changes import CHUNK, bulk_change
from listings.validation import clean_listing
from marketplace.errors import FieldError, InvalidInput

FIND_REPLACE_FIELDS = ("title", "description", "category")


FIND_REPLACE_PREVIEW_CHANGES = 20


def find_replace_pattern(
    *, find: str, match_case: bool = False, whole_word: bool = False, regex: bool = False
) -> re.Pattern:
    """The compiled search; raises ``InvalidInput`` on an empty or bad pattern."""
    if not find:
        raise InvalidInput([FieldError("find", "Enter the text to find.")])
    source = find if regex else re.escape(find)
    if whole_word:
        source = rf"\b(?:{source})\b"
    try:
        return re.compile(source, 0 if match_case else re.IGNORECASE)
    except re.error as exc:
        raise InvalidInput([FieldError("find", f"Not a valid regular expression: {exc}.")]) from exc


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
    pattern = find_replace_pattern(find=find, match_case=match_case, whole_word=whole_word, regex=regex)
    if not regex:
        literal = replace
        replace = lambda _match: literal  # noqa: E731 - a literal replacement, no group references

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        found = {}
        for name in fields:
            try:
                new = pattern.sub(replace, row[name] or "")
            except (re.error, IndexError) as exc:
                raise InvalidInput([FieldError("replace", f"Bad replacement: {exc}.")]) from exc
            if new != (row[name] or ""):
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
