"""Bulk actions on many listings at once: set fields, adjust prices, delete,
duplicate and upsert. Each is one transaction and one undo step."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from listings.concurrency import serialised_per_user
from listings.fields import LISTING_FIELDS, STORED_FIELDS, Source, Status
from listings.models import Listing
from listings.services.changes import (
    CHUNK,
    NewListing,
    SqlChange,
    changes_apply,
)
from listings.validation import (
    CENT,
    PRICE_MAX,
    clean_extra,
    clean_listing,
    clean_price_change,
    clean_source,
)
from marketplace.errors import FieldError, InvalidInput
from marketplace.input import whole_number

BULK_UPSERT_MAX_ITEMS = 10_000


MAX_LISTING_ID = 2**63 - 1  # the id column is a bigint


@transaction.atomic
@serialised_per_user
def listings_duplicate(*, listings: QuerySet[Listing], actor: User) -> list[int]:
    """New listings with the same fields, source and extra columns as ``listings``
    (oldest first), as one undoable step; returns the copies' ids. A copy is a new
    item: no SKU (that names the original), and a sold or archived one is ready again."""
    rows = listings.order_by("id").values("id", "owner", "source", "extra", "warnings", *LISTING_FIELDS)
    copies = (
        NewListing(
            copied_from=row["id"],
            owner_id=row["owner"],
            values={name: row[name] for name in LISTING_FIELDS} | _fresh_item(row),
            source=row["source"],
            extra=row["extra"],
        )
        for row in rows
    )
    return changes_apply(actor=actor, action="listing.duplicate", create=copies).created


def _fresh_item(row: Mapping[str, Any]) -> dict[str, Any]:
    if row["status"] in (Status.SOLD, Status.ARCHIVED):
        return {"sku": "", "status": Status.READY, "sold_price": None}
    return {"sku": ""}


def listing_duplicate(*, listing: Listing, actor: User) -> Listing:
    """A new listing with the same fields, source and extra columns."""
    [copy] = listings_duplicate(listings=Listing.objects.filter(pk=listing.pk), actor=actor)
    return Listing.objects.get(pk=copy)


@transaction.atomic
@serialised_per_user
def listings_bulk_set(*, listings: QuerySet[Listing], values: Mapping[str, Any], actor: User) -> int:
    """Set the same field values on every listing in ``listings``."""
    cleaned = clean_listing(values, partial=True)
    if not cleaned:
        raise InvalidInput([FieldError("set", "Name at least one field to set.")])
    return changes_apply(actor=actor, action="listing.bulk_set", update=listings, values=cleaned).updated


def adjusted_price(
    price: Decimal, *, percent: Decimal | None = None, amount: Decimal | None = None
) -> Decimal:
    """The price after a percentage or fixed change, in cents: never below 0 and never
    above the highest price a listing can have. ``adjusted_price_sql`` is its SQL twin."""
    if percent is not None:
        price = price * (Decimal(100) + Decimal(percent)) / Decimal(100)
    if amount is not None:
        price = price + Decimal(amount)
    return min(max(price.quantize(CENT, rounding=ROUND_HALF_UP), Decimal("0.00")), PRICE_MAX)


def adjusted_price_sql(*, percent: Decimal | None = None, amount: Decimal | None = None) -> tuple[str, list]:
    """``adjusted_price`` of a listing's ``{price}`` in SQL (``numeric`` is exact, and
    ``round`` rounds half away from zero, as ``ROUND_HALF_UP`` does)."""
    price, params = "{price}", []
    if percent is not None:
        price, params = f"{price} * (100 + %s) / 100", [*params, Decimal(percent)]
    if amount is not None:
        price, params = f"({price}) + %s", [*params, Decimal(amount)]
    return f"LEAST(GREATEST(round({price}, 2), 0), %s)", [*params, PRICE_MAX]


@transaction.atomic
@serialised_per_user
def listings_price_adjust(
    *,
    listings: QuerySet[Listing],
    actor: User,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
) -> int:
    """Change prices by ``percent`` or by ``amount`` (``clean_price_change``, the rule
    every door shares): one statement on PostgreSQL, row by row elsewhere."""
    change = clean_price_change(percent=percent, amount=amount)
    return changes_apply(
        actor=actor,
        action="listing.price_adjust",
        update=listings,
        compute=lambda row: {"price": adjusted_price(row["price"], **change)},
        sql=SqlChange({"price": adjusted_price_sql(**change)}),
    ).updated


@transaction.atomic
@serialised_per_user
def listings_bulk_delete(*, listings: QuerySet[Listing], actor: User) -> int:
    return changes_apply(
        actor=actor, action="listing.bulk_delete", delete=listings, entry_actions={"delete": "listing.delete"}
    ).deleted


@dataclass(frozen=True)
class BulkUpsertResult:
    ids: list[int]  # one per item, in the items' order
    created: int
    updated: int


def _item_id(item: Mapping[str, Any], index: int, errors: list[FieldError]) -> int | None:
    value = item.get("id")
    if value in (None, ""):
        return None
    if (number := whole_number(value, maximum=MAX_LISTING_ID)) is None:
        errors.append(FieldError("id", f"“{str(value)[:40]}” is not a listing id.", index))
    return number


@transaction.atomic
@serialised_per_user
def listings_bulk_upsert(
    *,
    owner: User,
    items: Sequence[Mapping[str, Any]],
    actor: User,
    source: str = Source.MANUAL,
) -> BulkUpsertResult:
    """Create the items without an ``id`` and update those with one (an item may send
    the ``version`` it read; a new one its ``source`` and ``extra`` columns). All or
    nothing: any bad item raises ``InvalidInput`` listing every error with its item's
    index. A handful of queries for any size."""
    errors: list[FieldError] = []
    cleaned_items: list[tuple[int | None, dict[str, Any]]] = []
    origins: list[dict[str, Any]] = []
    seen_ids: set[int] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.append(FieldError("non_field_errors", "Each item must be an object.", index))
            cleaned_items.append((None, {}))
            origins.append({})
            continue
        pk = _item_id(item, index, errors)
        if pk is not None:
            if pk in seen_ids:
                errors.append(FieldError("id", "This listing appears more than once.", index))
            seen_ids.add(pk)
        try:
            cleaned = clean_listing(item, partial="id" in item and item["id"] not in (None, ""))
        except InvalidInput as exc:
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
        except InvalidInput as exc:
            errors += [FieldError(e.field, e.message, index) for e in exc.errors]
            origins.append({})

    ids = sorted(seen_ids)
    existing: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        for row in (
            Listing.objects.select_for_update()
            .filter(owner=owner, pk__in=ids[start : start + CHUNK])
            .values("id", "version", "warnings", *STORED_FIELDS)
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
        raise InvalidInput(errors)

    # New items keep the source and extra columns they were sent with (Flask clients).
    new_items = [
        (cleaned, origin) for (pk, cleaned), origin in zip(cleaned_items, origins, strict=True) if pk is None
    ]
    updates = {pk: cleaned for pk, cleaned in cleaned_items if pk is not None}
    result = changes_apply(
        actor=actor,
        action="listing.bulk_upsert",
        create=[
            NewListing(owner_id=owner.pk, values=cleaned, **{"source": source, **origin})
            for cleaned, origin in new_items
        ],
        update=[{"id": pk, **existing[pk]} for pk in updates],
        compute=lambda row: updates[row["id"]],
        entry_actions={"create": "listing.create", "update": "listing.update"},
    )
    created_ids = iter(result.created)
    return BulkUpsertResult(
        ids=[pk if pk is not None else next(created_ids) for pk, _ in cleaned_items],
        created=len(result.created),
        updated=result.updated,
    )
