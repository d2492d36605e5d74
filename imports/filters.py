"""The grid filter ``?import=ID``: the listings one of the user's imports created or
changed. Another user's import, or one not committed, shows no listings."""

from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast

from accounts.models import User
from audit.models import AuditEntry
from imports.models import IMPORT_AUDIT_TYPES, Import
from listings.fields import Source
from listings.filters import ListingFilter
from listings.models import Listing
from listings.selectors import filter_id

NOTHING = Q(pk__in=[])


def _committed(user: User, value: str) -> Import | None:
    pk = filter_id("import", value)
    return Import.objects.filter(owner=user, pk=pk, status=Import.Status.COMMITTED).first()


def import_listings_q(user: User, value: str) -> Q:
    """Every listing with an audit entry under the import's batch (one per listing it
    wrote). Imports committed before those entries existed wrote one summary entry:
    their updated ids are in its ``changes`` and their new rows carry the commit's time."""
    upload = _committed(user, value)
    if upload is None or upload.batch is None:
        return NOTHING
    entries = AuditEntry.objects.filter(batch=upload.batch)
    per_listing = (
        entries.filter(object_type=Listing._meta.label_lower)
        .annotate(listing_id=Cast("object_id", BigIntegerField()))
        .values("listing_id")
    )
    summary = entries.filter(object_type__in=IMPORT_AUDIT_TYPES).values_list("changes", flat=True).first()
    updated = [int(pk) for pk in (summary or {}).get("changes", {})]
    created = Q(source=Source.IMPORT, created_at=upload.committed_at)
    return Q(pk__in=per_listing) | Q(pk__in=updated) | created


def _describe(user: User, value: str) -> str:
    upload = _committed(user, value)
    if upload is None:
        return f"Listings from import {value} (no such committed import of yours)"
    names = ", ".join(f.original_name for f in upload.files.all())
    return f"Listings from import {upload.pk} ({names})"


IMPORT_FILTER = ListingFilter(name="import", q=import_listings_q, describe=_describe)
