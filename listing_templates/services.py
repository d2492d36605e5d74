"""Every write to listing templates, and applying a template to listings."""

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from accounts.models import User
from audit.services import audit_record, field_changes
from listing_templates.models import (
    TEMPLATE_EDITABLE_FIELDS,
    TEMPLATE_KEPT_FIELDS,
    ApplyMode,
    ListingTemplate,
)
from listings.concurrency import save_or_invalid, serialised_per_user
from listings.models import Listing
from listings.selectors import NEW_ROW_TITLE
from listings.services.changes import NewListing, changes_apply
from listings.validation import clean_listing, clean_template_defaults
from marketplace.errors import FieldError, InvalidInput


@contextmanager
def _model_rules() -> Iterator[None]:
    """The model's rules (unique name, ``clean_template_defaults``) as ``InvalidInput``."""
    try:
        yield
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from exc


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
    with _model_rules():
        template.full_clean()
        save_or_invalid(template)
    audit_record(
        actor=actor or owner,
        action="template.create",
        obj=template,
        changes=field_changes({}, {"name": name, "defaults": template.defaults, "is_public": is_public}),
    )
    return template


@transaction.atomic
def template_update(*, template: ListingTemplate, data: Mapping[str, Any], actor: User) -> ListingTemplate:
    before = {name: getattr(template, name) for name in TEMPLATE_EDITABLE_FIELDS}
    for name in TEMPLATE_EDITABLE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    with _model_rules():
        template.full_clean()
    changes = field_changes(before, {name: getattr(template, name) for name in TEMPLATE_EDITABLE_FIELDS})
    if changes:
        with _model_rules():
            save_or_invalid(template)
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


def _is_empty(name: str, value: Any) -> bool:
    # A boolean is never "empty"; only text fields can be filled in.
    return value in (None, "") if name != "offer_shipping" else False


@transaction.atomic
@serialised_per_user
def template_apply(
    *,
    template: ListingTemplate,
    listings: QuerySet[Listing],
    actor: User,
    mode: str = ApplyMode.FILL_EMPTY,
) -> int:
    """Give listings the template's defaults: only where a field is empty
    (``fill_empty``) or everywhere (``overwrite``). Counts one use."""
    if mode not in ApplyMode.values:
        raise InvalidInput([FieldError("mode", f"Use one of: {', '.join(ApplyMode.values)}.")])
    defaults = clean_listing(clean_template_defaults(template.defaults), partial=True)

    def compute(row: Mapping[str, Any]) -> dict[str, Any]:
        if mode == ApplyMode.OVERWRITE:
            return defaults
        return {name: value for name, value in defaults.items() if _is_empty(name, row[name])}

    result = changes_apply(actor=actor, action="template.apply", update=listings, compute=compute)
    template_use_record(
        template=template,
        actor=actor,
        details={"mode": mode, "listings_changed": result.updated},
        batch=result.batch,
    )
    return result.updated


@transaction.atomic
def template_rows_create(*, template: ListingTemplate, owner: User, count: int, actor: User) -> list[int]:
    """``count`` new rows that start with the template's defaults, as one undo step;
    returns their ids. ``InvalidInput`` if the defaults do not make a listing."""
    values = clean_listing({"title": NEW_ROW_TITLE, "price": 0, **template.defaults})
    result = changes_apply(
        actor=actor,
        action="template.add_rows",
        create=[NewListing(owner_id=owner.pk, values=values)] * count,
        entry_actions={"create": "listing.create"},
    )
    template_use_record(
        template=template, actor=actor, details={"listings_created": count}, batch=result.batch
    )
    return result.created


def template_use_record(
    *, template: ListingTemplate, actor: User, details: Mapping[str, Any], batch=None
) -> None:
    """Count one use of ``template`` (applied in the grid or API, adding rows, or
    filling an import or an OCR conversion) and audit it, in the ``batch`` of the
    change it made. Runs inside the caller's transaction."""
    ListingTemplate.objects.filter(pk=template.pk).update(use_count=F("use_count") + 1)
    audit_record(actor=actor, action="template.use", obj=template, changes=details, batch=batch)


@transaction.atomic
def templates_restore(*, owner: User, rows: list[Mapping[str, Any]], batch: uuid.UUID) -> dict[str, str]:
    """Re-create ``owner``'s templates from a backup as they were (use count and times
    included), each audited in ``batch``. Returns {old id: new id} as strings."""
    ids: dict[str, str] = {}
    for row in rows:
        template = ListingTemplate(owner=owner, **{name: row[name] for name in TEMPLATE_EDITABLE_FIELDS})
        with _model_rules():
            template.full_clean()
            save_or_invalid(template)
        # created_at/updated_at are automatic on save; the backup's go back in after.
        kept = {name: row[name] for name in TEMPLATE_KEPT_FIELDS if name in row}
        ListingTemplate.objects.filter(pk=template.pk).update(**kept)
        audit_record(
            actor=owner, action="template.restore", obj=template, changes={"from": row["id"]}, batch=batch
        )
        ids[str(row["id"])] = str(template.pk)
    return ids
