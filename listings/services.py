"""Every write to listings and templates. Each function is one transaction that
also writes its audit rows; views, the API, the admin and commands call these."""

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record, audit_record_many, field_changes, new_batch
from listings.models import LISTING_FIELDS, Listing, ListingTemplate, Source, UndoStep
from listings.selectors import NEW_ROW_TITLE
from listings.validation import (
    CENT,
    WARNING_FIELDS,
    FieldError,
    ListingInvalid,
    clean_extra,
    clean_listing,
    clean_source,
    clean_template_defaults,
    listing_warnings,
)

LISTING_TYPE = "listings.listing"
TEMPLATE_TYPE = "listings.listingtemplate"
# How many changes each user can undo; older steps are forgotten (their audit stays).
UNDO_DEPTH = 100
# A created or deleted listing's audit entry carries these too, so undo and redo
# can bring the whole listing back, not just its editable fields.
SNAPSHOT_FIELDS = (*LISTING_FIELDS, "owner", "source", "extra")
BULK_UPSERT_MAX_ITEMS = 10_000
MAX_LISTING_ID = 2**63 - 1  # the id column is a bigint
FIND_REPLACE_FIELDS = ("title", "description", "category")
FIND_REPLACE_PREVIEW_CHANGES = 20
# A bulk change reports at most this many row errors; the rest are counted.
MAX_REPORTED_ERRORS = 100
_CHUNK = 5000


class VersionConflict(Exception):
    """The listing changed since the caller read it."""

    def __init__(self, listing: Listing) -> None:
        super().__init__(f"Listing {listing.pk} is at version {listing.version}.")
        self.listing = listing


@transaction.atomic
def listing_create(
    *,
    owner: User,
    data: Mapping[str, Any],
    source: str = Source.MANUAL,
    extra: Mapping[str, Any] | None = None,
    ocr_scan=None,
    actor: User | None = None,
    batch=None,
    action: str = "listing.create",
) -> Listing:
    """``ocr_scan``, when given, is a scan of ``owner``'s the listing was read from."""
    cleaned = clean_listing(data)
    listing = Listing.objects.create(
        owner=owner,
        source=source,
        extra=dict(extra or {}),
        ocr_scan=ocr_scan,
        warnings=listing_warnings(cleaned),
        **cleaned,
    )
    batch = batch or new_batch()
    audit_record(
        actor=actor or owner,
        action=action,
        obj=listing,
        changes=field_changes({}, _snapshot(listing)),
        batch=batch,
    )
    _record_step(user=actor or owner, batch=batch, action=action)
    return listing


@transaction.atomic
def listing_duplicate(*, listing: Listing, actor: User) -> Listing:
    """A new listing with the same fields, source and extra columns."""
    return listing_create(
        owner=listing.owner,
        data=listing.field_values(),
        source=listing.source,
        extra=listing.extra,
        actor=actor,
        action="listing.duplicate",
    )


@transaction.atomic
def listing_update(
    *,
    listing: Listing,
    data: Mapping[str, Any],
    actor: User,
    expected_version: int | None = None,
    action: str = "listing.update",
    batch=None,
) -> Listing:
    """Change some fields of one listing. With ``expected_version`` a stale edit
    raises ``VersionConflict`` instead of overwriting someone else's change."""
    cleaned = clean_listing(data, partial=True)
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    changes = field_changes(locked.field_values(), cleaned)
    if not changes:
        return locked
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.warnings = listing_warnings(locked.field_values())
    locked.version += 1
    locked.save()
    batch = batch or new_batch()
    audit_record(actor=actor, action=action, obj=locked, changes=changes, batch=batch)
    _record_step(user=actor, batch=batch, action=action)
    return locked


@transaction.atomic
def listing_delete(*, listing: Listing, actor: User, expected_version: int | None = None, batch=None) -> None:
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    batch = batch or new_batch()
    audit_record(
        actor=actor,
        action="listing.delete",
        obj=locked,
        changes=field_changes(_snapshot(locked), dict.fromkeys(SNAPSHOT_FIELDS)),
        batch=batch,
    )
    _record_step(user=actor, batch=batch, action="listing.delete")
    locked.delete()


def _snapshot(listing: Listing) -> dict[str, Any]:
    return {
        **listing.field_values(),
        "owner": listing.owner_id,
        "source": listing.source,
        "extra": listing.extra,
    }


def _record_step(*, user: User | None, batch: uuid.UUID, action: str) -> None:
    """Make ``batch`` the user's newest undoable step. Several calls with one batch
    (a grid saving many cells) stay one step. A new step clears the redo stack."""
    if user is None or not user.pk:
        return
    _, created = UndoStep.objects.get_or_create(user=user, batch=batch, defaults={"action": action})
    if not created:
        return
    UndoStep.objects.filter(user=user, undone=True).delete()
    oldest_forgotten = list(
        UndoStep.objects.filter(user=user).order_by("-id").values_list("id", flat=True)[UNDO_DEPTH:][:1]
    )
    if oldest_forgotten:
        UndoStep.objects.filter(user=user, id__lte=oldest_forgotten[0]).delete()


def _write_rows(
    changed_by_id: Mapping[int, Mapping[str, Any]], rows_by_id: Mapping[int, Mapping[str, Any]]
) -> None:
    """Store new listing values and bump versions, set-based. ``changed_by_id`` holds
    each row's changed fields and warnings; ``rows_by_id`` its full editable values."""
    if not changed_by_id:
        return
    if connection.vendor == "postgresql":
        _write_rows_postgres(rows_by_id)
        return
    # Elsewhere: one UPDATE per distinct set of values, so a bulk change that gives
    # many rows the same value costs a handful of statements.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in changed_by_id.items():
        key = tuple(sorted((name, _hashable(value)) for name, value in values.items()))
        groups[key].append(pk)
    now = timezone.now()
    for key, ids in groups.items():
        values = {name: _unhashable(value) for name, value in key}
        for start in range(0, len(ids), _CHUNK):
            Listing.objects.filter(pk__in=ids[start : start + _CHUNK]).update(
                **values, version=F("version") + 1, updated_at=now
            )


_POSTGRES_TYPES = {
    "title": "text",
    "price": "numeric",
    "condition": "text",
    "description": "text",
    "category": "text",
    "offer_shipping": "boolean",
}


def _write_rows_postgres(rows_by_id: Mapping[int, Mapping[str, Any]]) -> None:
    """One ``UPDATE ... FROM unnest(arrays)`` per 20,000 rows, each row its own values."""
    meta = Listing._meta
    columns = [meta.get_field(name).column for name in LISTING_FIELDS]
    assignments = ", ".join(f'"{column}" = v."{column}"' for column in columns)
    unnest = ", ".join(
        ["%s::bigint[]", *(f"%s::{_POSTGRES_TYPES[name]}[]" for name in LISTING_FIELDS), "%s::text[]"]
    )
    names = ", ".join(["id", *(f'"{column}"' for column in columns), "warnings"])
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f'UPDATE "{meta.db_table}" AS l SET {assignments}, "warnings" = v."warnings"::jsonb, '  # noqa: S608
        f'"version" = l."version" + 1, "updated_at" = %s '
        f'FROM unnest({unnest}) AS v({names}) WHERE l."id" = v."id"'
    )
    ids = list(rows_by_id)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 20_000):
            chunk = ids[start : start + 20_000]
            arrays = [chunk]
            arrays += [[rows_by_id[pk][name] for pk in chunk] for name in LISTING_FIELDS]
            arrays.append([json.dumps(rows_by_id[pk]["warnings"]) for pk in chunk])
            cursor.execute(sql, [now, *arrays])


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _rows(listings: QuerySet[Listing]) -> Iterator[dict[str, Any]]:
    return listings.order_by().values("id", *LISTING_FIELDS, "warnings").iterator(chunk_size=_CHUNK)


def _rows_by_ids(ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield from Listing.objects.filter(pk__in=ids[start : start + _CHUNK]).values(
            "id", *LISTING_FIELDS, "warnings"
        )


def _apply_to_rows(
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: User,
    action: str,
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    batch: uuid.UUID,
) -> int:
    """Apply ``compute(row) -> {field: new cleaned value}`` to every row and audit each
    changed row under ``batch``. A row ``compute`` rejects (``ListingInvalid``) fails
    the whole change, reporting every row's errors. Returns how many rows changed."""
    changed_by_id: dict[int, dict[str, Any]] = {}
    rows_by_id: dict[int, dict[str, Any]] = {}
    changes_by_id: list[tuple[int, dict]] = []
    errors: list[FieldError] = []
    for row in rows:
        try:
            updates = compute(row)
        except ListingInvalid as exc:
            errors += [FieldError(e.field, f"Listing {row['id']}: {e.message}") for e in exc.errors]
            continue
        changes = field_changes(row, updates)
        if not changes:
            continue
        merged = {**row, **updates}
        if "warnings" not in row or not WARNING_FIELDS.isdisjoint(changes):
            merged["warnings"] = listing_warnings(merged)
        changed_by_id[row["id"]] = {
            **{name: merged[name] for name in changes},
            "warnings": merged["warnings"],
        }
        rows_by_id[row["id"]] = merged
        changes_by_id.append((row["id"], changes))
    if errors:
        extra = len(errors) - MAX_REPORTED_ERRORS
        errors = errors[:MAX_REPORTED_ERRORS]
        if extra > 0:
            errors.append(FieldError("non_field_errors", f"… and {extra} more errors."))
        raise ListingInvalid(errors)
    _write_rows(changed_by_id, rows_by_id)
    audit_record_many(
        actor=actor, action=action, object_type=LISTING_TYPE, changes_by_id=changes_by_id, batch=batch
    )
    return len(changes_by_id)


def _bulk_change(
    *,
    listings: QuerySet[Listing],
    actor: User,
    action: str,
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
) -> int:
    """Apply ``compute`` to every listing in ``listings`` as one undoable step."""
    batch = new_batch()
    changed = _apply_to_rows(rows=_rows(listings), actor=actor, action=action, compute=compute, batch=batch)
    if changed:
        _record_step(user=actor, batch=batch, action=action)
    return changed


@transaction.atomic
def listings_bulk_set(*, listings: QuerySet[Listing], values: Mapping[str, Any], actor: User) -> int:
    """Set the same field values on every listing in ``listings``."""
    cleaned = clean_listing(values, partial=True)
    if not cleaned:
        raise ListingInvalid([FieldError("set", "Name at least one field to set.")])
    return _bulk_change(
        listings=listings, actor=actor, action="listing.bulk_set", compute=lambda row: cleaned
    )


def adjusted_price(
    price: Decimal, *, percent: Decimal | None = None, amount: Decimal | None = None
) -> Decimal:
    """The price after a percentage or fixed change, in cents, never below zero."""
    if percent is not None:
        price = price * (Decimal(100) + Decimal(percent)) / Decimal(100)
    if amount is not None:
        price = price + Decimal(amount)
    return max(price.quantize(CENT, rounding=ROUND_HALF_UP), Decimal("0.00"))


@transaction.atomic
def listings_price_adjust(
    *,
    listings: QuerySet[Listing],
    actor: User,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
) -> int:
    if (percent is None) == (amount is None):
        raise ListingInvalid([FieldError("price_adjust", "Give either a percent or an amount.")])
    return _bulk_change(
        listings=listings,
        actor=actor,
        action="listing.price_adjust",
        compute=lambda row: {"price": adjusted_price(row["price"], percent=percent, amount=amount)},
    )


@transaction.atomic
def listings_bulk_delete(*, listings: QuerySet[Listing], actor: User) -> int:
    rows = list(listings.order_by().values("id", *SNAPSHOT_FIELDS))
    batch = new_batch()
    _delete_rows(rows=rows, actor=actor, action="listing.delete", batch=batch)
    if rows:
        _record_step(user=actor, batch=batch, action="listing.bulk_delete")
    return len(rows)


def _delete_rows(*, rows: Sequence[Mapping[str, Any]], actor: User, action: str, batch: uuid.UUID) -> None:
    """Audit and delete rows given as ``values("id", *SNAPSHOT_FIELDS)``."""
    gone = dict.fromkeys(SNAPSHOT_FIELDS)
    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((row["id"], field_changes(row, gone)) for row in rows),
        batch=batch,
    )
    for start in range(0, len(rows), _CHUNK):
        Listing.objects.filter(pk__in=[row["id"] for row in rows[start : start + _CHUNK]]).delete()


def _create_rows(*, listings: list[Listing], actor: User, action: str, batch: uuid.UUID) -> None:
    """Insert listings (warnings already set) and audit each as created."""
    Listing.objects.bulk_create(listings, batch_size=2000)
    audit_record_many(
        actor=actor,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((listing.pk, field_changes({}, _snapshot(listing))) for listing in listings),
        batch=batch,
    )


@transaction.atomic
def listings_create_many(
    *,
    owner: User,
    rows: Iterable[Mapping[str, Any]],
    source: str = Source.MANUAL,
    actor: User | None = None,
    action: str = "listing.create",
) -> list[Listing]:
    """Create listings from already-cleaned field values (see ``clean_listing``)."""
    listings = [Listing(owner=owner, source=source, warnings=listing_warnings(row), **row) for row in rows]
    batch = new_batch()
    _create_rows(listings=listings, actor=actor or owner, action=action, batch=batch)
    if listings:
        _record_step(user=actor or owner, batch=batch, action=action)
    return listings


@dataclass(frozen=True)
class BulkUpsertResult:
    ids: list[int]  # one per item, in the items' order
    created: int
    updated: int


def _item_id(item: Mapping[str, Any], index: int, errors: list[FieldError]) -> int | None:
    value = item.get("id")
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or int(value) > MAX_LISTING_ID:
        errors.append(FieldError("id", f"“{value}” is not a listing id.", index))
        return None
    return int(value)


@transaction.atomic
def listings_bulk_upsert(
    *,
    owner: User,
    items: Sequence[Mapping[str, Any]],
    actor: User,
    source: str = Source.MANUAL,
) -> BulkUpsertResult:
    """Create the items without an ``id`` and update those with one (an item may send
    the ``version`` it read; a new one its ``source`` and ``extra`` columns). All or
    nothing: any bad item raises ``ListingInvalid`` listing every error with its
    item's index. A handful of queries for any size."""
    errors: list[FieldError] = []
    cleaned_items: list[tuple[int | None, dict[str, Any]]] = []
    origins: list[dict[str, Any]] = []
    seen_ids: set[int] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.append(FieldError("non_field_errors", "Each item must be an object.", index))
            cleaned_items.append((None, {}))
            continue
        pk = _item_id(item, index, errors)
        if pk is not None:
            if pk in seen_ids:
                errors.append(FieldError("id", "This listing appears more than once.", index))
            seen_ids.add(pk)
        try:
            cleaned = clean_listing(item, partial="id" in item and item["id"] not in (None, ""))
        except ListingInvalid as exc:
            errors += [FieldError(e.field, e.message, index) for e in exc.errors]
            cleaned = {}
        cleaned_items.append((pk, cleaned))
        try:
            origins.append(
                {
                    "source": clean_source(item["source"]) if "source" in item else source,
                    "extra": clean_extra(item.get("extra")),
                }
            )
        except ListingInvalid as exc:
            errors += [FieldError(e.field, e.message, index) for e in exc.errors]
            origins.append({})

    ids = sorted(seen_ids)
    existing: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in (
            Listing.objects.select_for_update()
            .filter(owner=owner, pk__in=ids[start : start + _CHUNK])
            .values("id", "version", "warnings", *LISTING_FIELDS)
        ):
            existing[row.pop("id")] = row
    for index, ((pk, _), item) in enumerate(zip(cleaned_items, items, strict=True)):
        if pk is None:
            continue
        if pk not in existing:
            errors.append(FieldError("id", f"You have no listing {pk}.", index))
        elif item.get("version") not in (None, "") and str(item["version"]) != str(existing[pk]["version"]):
            errors.append(
                FieldError(
                    "version",
                    f"Listing {pk} changed since you read it; it is now at version "
                    f"{existing[pk]['version']}.",
                    index,
                )
            )
    if errors:
        raise ListingInvalid(errors)

    batch = new_batch()
    new_listings = [
        Listing(owner=owner, **origin, warnings=listing_warnings(cleaned), **cleaned)
        for (pk, cleaned), origin in zip(cleaned_items, origins, strict=True)
        if pk is None
    ]
    _create_rows(listings=new_listings, actor=actor, action="listing.create", batch=batch)
    updates = {pk: cleaned for pk, cleaned in cleaned_items if pk is not None}
    updated = _apply_to_rows(
        rows=(
            {"id": pk, **{name: existing[pk][name] for name in (*LISTING_FIELDS, "warnings")}}
            for pk in updates
        ),
        actor=actor,
        action="listing.update",
        compute=lambda row: updates[row["id"]],
        batch=batch,
    )
    if new_listings or updated:
        _record_step(user=actor, batch=batch, action="listing.bulk_upsert")
    created_ids = iter(listing.pk for listing in new_listings)
    return BulkUpsertResult(
        ids=[pk if pk is not None else next(created_ids) for pk, _ in cleaned_items],
        created=len(new_listings),
        updated=updated,
    )


def find_replace_pattern(
    *, find: str, match_case: bool = False, whole_word: bool = False, regex: bool = False
) -> re.Pattern:
    """The compiled search; raises ``ListingInvalid`` on an empty or bad pattern."""
    if not find:
        raise ListingInvalid([FieldError("find", "Enter the text to find.")])
    source = find if regex else re.escape(find)
    if whole_word:
        source = rf"\b(?:{source})\b"
    try:
        return re.compile(source, 0 if match_case else re.IGNORECASE)
    except re.error as exc:
        raise ListingInvalid([FieldError("find", f"Not a valid regular expression: {exc}.")]) from exc


@transaction.atomic
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
        raise ListingInvalid([FieldError("fields", f"Choose among: {', '.join(FIND_REPLACE_FIELDS)}.")])
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
                raise ListingInvalid([FieldError("replace", f"Bad replacement: {exc}.")]) from exc
            if new != (row[name] or ""):
                found[name] = new
        return clean_listing(found, partial=True) if found else {}

    if not preview:
        return {
            "count": _bulk_change(
                listings=listings, actor=actor, action="listing.find_replace", compute=compute
            )
        }
    count, changes = 0, []
    for row in listings.order_by("id").values("id", *LISTING_FIELDS).iterator(chunk_size=_CHUNK):
        try:
            updates = compute(row)
        except ListingInvalid as exc:
            raise ListingInvalid(
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


@transaction.atomic
def template_create(
    *,
    owner: User,
    name: str,
    defaults: Mapping[str, Any],
    description: str = "",
    is_public: bool = False,
    actor: User | None = None,
) -> ListingTemplate:
    template = ListingTemplate(
        owner=owner, name=name, description=description, is_public=is_public, defaults=defaults
    )
    template.full_clean()
    template.save()
    audit_record(
        actor=actor or owner,
        action="template.create",
        obj=template,
        changes=field_changes({}, {"name": name, "defaults": template.defaults, "is_public": is_public}),
    )
    return template


@transaction.atomic
def template_update(*, template: ListingTemplate, data: Mapping[str, Any], actor: User) -> ListingTemplate:
    editable = ("name", "description", "defaults", "is_public")
    before = {name: getattr(template, name) for name in editable}
    for name in editable:
        if name in data:
            setattr(template, name, data[name])
    template.full_clean()
    changes = field_changes(before, {name: getattr(template, name) for name in editable})
    if changes:
        template.save()
        audit_record(actor=actor, action="template.update", obj=template, changes=changes)
    return template


@transaction.atomic
def template_delete(*, template: ListingTemplate, actor: User) -> None:
    audit_record(
        actor=actor,
        action="template.delete",
        obj=template,
        changes={"name": [template.name, None], "defaults": [template.defaults, None]},
    )
    template.delete()


class TemplateApplyMode:
    FILL_EMPTY = "fill_empty"
    OVERWRITE = "overwrite"
    choices = (FILL_EMPTY, OVERWRITE)


def _is_empty(name: str, value: Any) -> bool:
    # A boolean is never "empty"; only text fields can be filled in.
    return value in (None, "") if name != "offer_shipping" else False


@transaction.atomic
def template_apply(
    *,
    template: ListingTemplate,
    listings: QuerySet[Listing],
    actor: User,
    mode: str = TemplateApplyMode.FILL_EMPTY,
) -> int:
    """Give listings the template's defaults: only where a field is empty
    (``fill_empty``) or everywhere (``overwrite``). Counts one use."""
    if mode not in TemplateApplyMode.choices:
        raise ListingInvalid([FieldError("mode", f"Use one of: {', '.join(TemplateApplyMode.choices)}.")])
    defaults = clean_listing(clean_template_defaults(template.defaults), partial=True)

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        if mode == TemplateApplyMode.OVERWRITE:
            return defaults
        return {name: value for name, value in defaults.items() if _is_empty(name, row[name])}

    changed = _bulk_change(listings=listings, actor=actor, action="template.apply", compute=compute)
    template_use_record(template=template, actor=actor, details={"mode": mode, "listings_changed": changed})
    return changed


def template_use_record(*, template: ListingTemplate, actor: User, details: Mapping[str, Any]) -> None:
    """Count one use of ``template`` (applied in the grid or API, or filling an import
    or an OCR conversion) and audit it. Runs inside the caller's transaction."""
    ListingTemplate.objects.filter(pk=template.pk).update(use_count=F("use_count") + 1)
    audit_record(actor=actor, action="template.use", obj=template, changes=details)


class NothingToUndo(Exception):
    """The user has no change left to undo (or to redo)."""


@dataclass(frozen=True)
class UndoOutcome:
    action: str  # the action of the step undone or redone, e.g. "listing.bulk_set"
    listings: int  # how many listings were restored


def _is_create(changes: Mapping[str, Any]) -> bool:
    title = changes.get("title")
    return bool(title) and title[0] is None and title[1] is not None


def _is_delete(changes: Mapping[str, Any]) -> bool:
    title = changes.get("title")
    return bool(title) and title[0] is not None and title[1] is None


def _states(entries: Sequence[Mapping[str, Any]], *, before: bool) -> dict[int, dict[str, Any] | None]:
    """Each listing's field values before (or after) the audited ``entries``, oldest
    first; ``None`` where the listing did not exist then."""
    states: dict[int, dict[str, Any] | None] = {}
    side, gone = (0, _is_create) if before else (1, _is_delete)
    for entry in entries if before else reversed(entries):
        pk = int(entry["object_id"])
        if pk not in states:
            states[pk] = None if gone(entry["changes"]) else {}
        if states[pk] is not None:
            for name, pair in entry["changes"].items():
                states[pk].setdefault(name, pair[side])
    return states


def _restore(*, states: Mapping[int, dict[str, Any] | None], actor: User, action: str) -> int:
    """Bring listings to ``states`` (see ``_states``) under one new batch: delete those
    that should not exist, re-create those that should (with their old ids), and
    set the fields of the rest. Returns how many listings it touched."""
    batch = new_batch()
    ids = sorted(states)
    existing: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in Listing.objects.filter(pk__in=ids[start : start + _CHUNK]).values("id", *SNAPSHOT_FIELDS):
            existing[row["id"]] = row
    doomed = [existing[pk] for pk in ids if states[pk] is None and pk in existing]
    _delete_rows(rows=doomed, actor=actor, action=action, batch=batch)
    reborn = []
    for pk in ids:
        state = states[pk]
        # Only a create or delete entry holds a whole listing to bring back.
        if state is None or pk in existing or state.get("title") is None:
            continue
        fields = clean_listing({name: state[name] for name in LISTING_FIELDS if name in state})
        reborn.append(
            Listing(
                pk=pk,
                owner_id=state.get("owner") or actor.pk,
                source=state.get("source") or Source.MANUAL,
                extra=state.get("extra") or {},
                warnings=listing_warnings(fields),
                **fields,
            )
        )
    _create_rows(listings=reborn, actor=actor, action=action, batch=batch)
    kept = [pk for pk in ids if states[pk] is not None and pk in existing]

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        state = states[row["id"]]
        return clean_listing({name: state[name] for name in LISTING_FIELDS if name in state}, partial=True)

    changed = _apply_to_rows(
        rows=_rows_by_ids(kept), actor=actor, action=action, compute=compute, batch=batch
    )
    return len(doomed) + len(reborn) + changed


def _step_entries(step: UndoStep) -> list[dict[str, Any]]:
    return list(
        AuditEntry.objects.filter(batch=step.batch, object_type=LISTING_TYPE)
        .order_by("id")
        .values("object_id", "changes")
    )


@transaction.atomic
def undo_last(*, user: User) -> UndoOutcome:
    """Undo the user's newest change (one bulk change is one step); it moves to the
    redo stack. The undo is itself audited. Raises ``NothingToUndo``."""
    step = UndoStep.objects.select_for_update().filter(user=user, undone=False).order_by("-id").first()
    if step is None:
        raise NothingToUndo("Nothing to undo.")
    count = _restore(states=_states(_step_entries(step), before=True), actor=user, action="listing.undo")
    step.undone = True
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count)


@transaction.atomic
def redo_last(*, user: User) -> UndoOutcome:
    """Redo the change the user undid last. Raises ``NothingToUndo`` when none is left."""
    step = UndoStep.objects.select_for_update().filter(user=user, undone=True).order_by("id").first()
    if step is None:
        raise NothingToUndo("Nothing to redo.")
    count = _restore(states=_states(_step_entries(step), before=False), actor=user, action="listing.redo")
    step.undone = False
    step.save(update_fields=["undone"])
    return UndoOutcome(action=step.action, listings=count)


@transaction.atomic
def listing_revert(*, listing: Listing, entry: AuditEntry, actor: User) -> Listing:
    """Put the listing back as it was just before ``entry`` (one of its audit
    entries): that change and every later one are rolled back, as one new change."""
    if entry.object_type != LISTING_TYPE or entry.object_id != str(listing.pk):
        raise ListingInvalid([FieldError("entry", "That history entry is not about this listing.")])
    later = list(
        AuditEntry.objects.filter(object_type=LISTING_TYPE, object_id=str(listing.pk), id__gte=entry.pk)
        .order_by("id")
        .values("object_id", "changes")
    )
    state = _states(later, before=True)[listing.pk]
    if state is None:
        raise ListingInvalid([FieldError("entry", "That change created the listing; delete it instead.")])
    data = {name: state[name] for name in LISTING_FIELDS if name in state}
    return listing_update(listing=listing, data=data, actor=actor, action="listing.revert")


@dataclass(frozen=True)
class PasteResult:
    updated: list[Listing]
    created: list[Listing]
    # (line of the pasted block, counted from 1; the listing it was for or None; the error)
    errors: list[tuple[int, int | None, FieldError]]


@transaction.atomic
def listings_paste(
    *,
    owner: User,
    fields: Sequence[str],
    targets: Sequence[tuple[Listing, int | None]],
    block: Sequence[Sequence[str]],
    actor: User,
) -> PasteResult:
    """Write a block pasted into the grid: line ``i`` goes to ``targets[i]`` (a
    listing and the version the user saw) or, past the last target, to a new
    listing; column ``j`` is ``fields[j]``. Invalid cells are reported and left
    out; the line's valid cells are still saved. One batch, so one undo step."""
    batch = new_batch()
    updated: list[Listing] = []
    created: list[Listing] = []
    errors: list[tuple[int, int | None, FieldError]] = []
    for number, cells in enumerate(block, start=1):
        data = dict(zip(fields, cells, strict=False))
        listing, version = targets[number - 1] if number <= len(targets) else (None, None)
        try:
            clean_listing(data, partial=True)
            valid = data
        except ListingInvalid as exc:
            errors += [(number, listing and listing.pk, error) for error in exc.errors]
            bad = {error.field for error in exc.errors}
            valid = {name: value for name, value in data.items() if name not in bad}
        if listing is None:
            new_row = {"title": NEW_ROW_TITLE, "price": 0, **valid}
            created.append(listing_create(owner=owner, data=new_row, actor=actor, batch=batch))
            continue
        try:
            updated.append(
                listing_update(
                    listing=listing, data=valid, actor=actor, expected_version=version, batch=batch
                )
            )
        except VersionConflict:
            message = "Changed by another edit since the page loaded; nothing pasted on this row."
            errors.append((number, listing.pk, FieldError(fields[0], message)))
    return PasteResult(updated=updated, created=created, errors=errors)
