"""Reads of the audit log, always scoped to what a user may see. (Any user model:
the audit app depends on no other app of ours.)"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from audit import words
from audit.models import AuditEntry, Operation

# "listing." selects every action that starts with it.
ACTION_FAMILY_END = "."


def action_filter(
    user: AbstractBaseUser, filters: Mapping[str, Any], model: type[AuditEntry | Operation]
) -> Q:
    """The actions ``AuditFilterSerializer``'s validated ``kind`` and ``action`` select
    among ``model``'s rows: one rule for the entries of ``/api/audit/`` and the
    operations of the history page."""
    chosen = Q()
    if kind := (filters.get("kind") or "").strip():
        done = model.objects.filter(actor=user).order_by().values_list("action", flat=True).distinct()
        chosen &= Q(action__in=words.actions_of_kind(kind, done))
    if action := (filters.get("action") or "").strip():
        chosen &= Q(action__startswith=action) if action.endswith(ACTION_FAMILY_END) else Q(action=action)
    return chosen


def audit_entries_by(user: AbstractBaseUser, filters: Mapping[str, Any]) -> QuerySet[AuditEntry]:
    """What ``user`` did, newest first, narrowed by ``AuditFilterSerializer``'s
    validated filters: kind or action (or a family such as ``listing.``), object type
    and id, dates."""
    entries = AuditEntry.objects.filter(action_filter(user, filters, AuditEntry), actor=user)
    if object_type := (filters.get("object_type") or "").strip():
        entries = entries.filter(object_type=object_type)
    if object_id := (filters.get("object_id") or "").strip():
        entries = entries.filter(object_id=object_id)
    if filters.get("date_from"):
        entries = entries.filter(created_at__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(created_at__lte=filters["date_to"])
    return entries.select_related("actor")


def audit_actions_by(user: AbstractBaseUser) -> list[str]:
    return sorted(AuditEntry.objects.filter(actor=user).values_list("action", flat=True).distinct())
