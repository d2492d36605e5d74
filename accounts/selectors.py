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
