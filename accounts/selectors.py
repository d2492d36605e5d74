"""Reads about accounts."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.identity import canonical_email
from accounts.models import User


def login_name(value: str | None) -> str | None:
    """The form of a log-in e-mail that lockout counts by: the canonical e-mail, the
    same form the account is stored and matched under, so no spelling of an address
    (``Sam@Example.com``, ``ſam@example.com``) has a failure count of its own."""
    if value is None:
        return None
    return canonical_email(value)


def user_by_login_name(email: str | None) -> User | None:
    if not email:
        return None
    return User.objects.filter(email=canonical_email(email)).first()


def email_taken(email: str) -> bool:
    return User.objects.filter(email=canonical_email(email)).exists()


def account_locked_until(*, email: str, now: datetime | None = None) -> datetime | None:
    """When the lockout on ``email`` ends, or None when it is not locked.

    django-axes keeps one attempt row per (account, IP, user agent), stamped with its
    latest failure; rows older than the cool-off no longer count. The account is locked
    while the newest rows still add up to the failure limit, so the lock ends when the
    row that brings the running total to the limit ages out.
    """
    from axes.models import AccessAttempt

    now = now or timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    attempts: QuerySet = AccessAttempt.objects.filter(
        username=login_name(email), attempt_time__gte=now - cool_off
    ).order_by("-attempt_time")
    failures = 0
    for attempt_time, count in attempts.values_list("attempt_time", "failures_since_start"):
        failures += count
        if failures >= settings.AXES_FAILURE_LIMIT:
            return attempt_time + cool_off
    return None


USER_SORTS = {"email": "email", "created_at": "date_joined", "last_login": "last_login"}


def users_search(params) -> QuerySet[User]:
    """Every account, for staff: ``search`` in e-mail and names, ``is_active`` and
    ``is_admin`` ("true"/"false"), sorted by ``sort_by`` (email, created_at,
    last_login) in ``sort_order`` (asc, desc: the default)."""
    from django.db.models import F, Q

    users = User.objects.all()
    if search := (params.get("search") or "").strip():
        users = users.filter(
            Q(email__icontains=search) | Q(first_name__icontains=search) | Q(last_name__icontains=search)
        )
    for name, field in (("is_active", "is_active"), ("is_admin", "is_staff")):
        if (value := params.get(name)) is not None:
            users = users.filter(**{field: value.lower() == "true"})
    column = F(USER_SORTS.get(params.get("sort_by"), "date_joined"))
    ordering = (
        column.asc(nulls_first=True) if params.get("sort_order") == "asc" else column.desc(nulls_last=True)
    )
    return users.order_by(ordering, "id")
