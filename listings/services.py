"""Every write to listings and templates. Each function is one transaction that
also writes its audit rows; views, the API, the admin and commands call these."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record, audit_record_many, field_changes, new_batch
from listings.models import LISTING_FIELDS, Listing, ListingTemplate, Source
from listings.selectors import NEW_ROW_TITLE
from listings.validation import (
    CENT,
    FieldError,
    ListingInvalid,
    clean_listing,
    clean_template_defaults,
    listing_warnings,
)

LISTING_TYPE = "listings.listing"
TEMPLATE_TYPE = "listings.listingtemplate"


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
    actor: User | None = None,
    batch=None,
) -> Listing:
    cleaned = clean_listing(data)
    listing = Listing.objects.create(
        owner=owner,
        source=source,
        extra=dict(extra or {}),
        warnings=listing_warnings(cleaned),
        **cleaned,
    )
    audit_record(
        actor=actor or owner,
        action="listing.create",
        obj=listing,
        changes=field_changes({}, cleaned),
        batch=batch,
    )
    return listing


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
    audit_record(actor=actor, action=action, obj=locked, changes=changes, batch=batch)
    return locked


@transaction.atomic
def listing_delete(*, listing: Listing, actor: User, expected_version: int | None = None) -> None:
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    audit_record(
        actor=actor,
        action="listing.delete",
        obj=locked,
        changes=field_changes(locked.field_values(), dict.fromkeys(LISTING_FIELDS)),
    )
    locked.delete()


def _write_rows(new_values_by_id: Mapping[int, Mapping[str, Any]]) -> None:
    """Write per-row values with one UPDATE per distinct set of values, so a bulk
    change that gives many rows the same value costs a handful of statements."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in new_values_by_id.items():
        key = tuple(sorted((name, _hashable(value)) for name, value in values.items()))
        groups[key].append(pk)
    now = timezone.now()
    for key, ids in groups.items():
        values = {name: _unhashable(value) for name, value in key}
        for start in range(0, len(ids), 5000):
            Listing.objects.filter(pk__in=ids[start : start + 5000]).update(
                **values, version=F("version") + 1, updated_at=now
            )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _bulk_change(
    *,
    listings: QuerySet[Listing],
    actor: User,
    action: str,
    compute: Any,
) -> int:
    """Apply ``compute(row) -> {field: new value}`` to every listing and audit
    each changed row under one batch. Returns the number of listings changed."""
    rows = listings.order_by().values("id", *LISTING_FIELDS)
    new_values_by_id: dict[int, dict[str, Any]] = {}
    changes_by_id: list[tuple[int, dict]] = []
    for row in rows.iterator(chunk_size=5000):
        updates = compute(row)
        changes = field_changes(row, updates)
        if not changes:
            continue
        merged = {**row, **updates}
        new_values = {name: merged[name] for name in changes}
        new_values["warnings"] = listing_warnings(merged)
        new_values_by_id[row["id"]] = new_values
        changes_by_id.append((row["id"], changes))
    _write_rows(new_values_by_id)
    audit_record_many(
        actor=actor, action=action, object_type=LISTING_TYPE, changes_by_id=changes_by_id, batch=new_batch()
    )
    return len(changes_by_id)


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
    rows = list(listings.order_by().values("id", *LISTING_FIELDS))
    audit_record_many(
        actor=actor,
        action="listing.delete",
        object_type=LISTING_TYPE,
        changes_by_id=((row["id"], field_changes(row, dict.fromkeys(LISTING_FIELDS))) for row in rows),
        batch=new_batch(),
    )
    for start in range(0, len(rows), 5000):
        Listing.objects.filter(pk__in=[row["id"] for row in rows[start : start + 5000]]).delete()
    return len(rows)


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
    Listing.objects.bulk_create(listings, batch_size=2000)
    audit_record_many(
        actor=actor or owner,
        action=action,
        object_type=LISTING_TYPE,
        changes_by_id=((listing.pk, field_changes({}, listing.field_values())) for listing in listings),
        batch=new_batch(),
    )
    return listings


@transaction.atomic
def template_create(
    *,
    owner: User,
    name: str,
    defaults: Mapping[str, Any],
    description: str = "",
    is_public: bool = False,
) -> ListingTemplate:
    template = ListingTemplate(
        owner=owner, name=name, description=description, is_public=is_public, defaults=defaults
    )
    template.full_clean()
    template.save()
    audit_record(
        actor=owner,
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
    ListingTemplate.objects.filter(pk=template.pk).update(use_count=F("use_count") + 1)
    audit_record(
        actor=actor, action="template.use", obj=template, changes={"mode": mode, "listings_changed": changed}
    )
    return changed


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
