"""Reads of the audit log, always scoped to what a user may see. (Any user model:
the audit app depends on no other app of ours.)"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from audit.models import AuditEntry

# "listing." selects every action that starts with it.
ACTION_FAMILY_END = "."


def audit_entries_by(user: AbstractBaseUser, params: Mapping[str, Any]) -> QuerySet[AuditEntry]:
    """What ``user`` did, newest first, narrowed by ``AuditFilterSerializer``'s
    validated filters: action (or a family such as ``listing.``), object type and id, dates."""
    entries = AuditEntry.objects.filter(actor=user)
    if action := (params.get("action") or "").strip():
        if action.endswith(ACTION_FAMILY_END):
            entries = entries.filter(action__startswith=action)
        else:
            entries = entries.filter(action=action)
    if object_type := (params.get("object_type") or "").strip():
        entries = entries.filter(object_type=object_type)
    if object_id := (params.get("object_id") or "").strip():
        entries = entries.filter(object_id=object_id)
    if params.get("date_from"):
        entries = entries.filter(created_at__gte=params["date_from"])
    if params.get("date_to"):
        entries = entries.filter(created_at__lte=params["date_to"])
    return entries.select_related("actor")


def audit_actions_by(user: AbstractBaseUser) -> list[str]:
    return sorted(AuditEntry.objects.filter(actor=user).values_list("action", flat=True).distinct())
