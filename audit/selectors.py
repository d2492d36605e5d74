"""Reads of the audit log, always scoped to what a user may see. (Any user model:
the audit app depends on no other app of ours.)"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entries_by(user: AbstractBaseUser, params: Mapping[str, Any]) -> QuerySet[AuditEntry]:
    """What ``user`` did, newest first, narrowed by action (prefix, e.g.
    ``listing.``), object id and a date range (ISO dates; bad ones are ignored)."""
    entries = AuditEntry.objects.filter(actor=user)
    if action := (params.get("action") or "").strip():
        entries = entries.filter(action__startswith=action)
    if object_id := (params.get("object_id") or "").strip():
        entries = entries.filter(object_id=object_id)
    for name, lookup in (("date_from", "created_at__date__gte"), ("date_to", "created_at__date__lte")):
        try:
            day = date.fromisoformat(params.get(name) or "")
        except ValueError:
            continue
        entries = entries.filter(**{lookup: day})
    return entries.select_related("actor")


def audit_actions_by(user: AbstractBaseUser) -> list[str]:
    return sorted(AuditEntry.objects.filter(actor=user).values_list("action", flat=True).distinct())
