"""django-axes hooks (named in settings): who is logging in, and the "locked" answer.

The same lockout covers the three doors: the HTML log-in (posts ``username``), the
admin log-in (posts ``username``) and ``POST /api/auth/login/`` (posts ``email``).
"""

import math

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.identity import submitted_email
from accounts.selectors import account_locked_until


def username_from_credentials(request, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the canonical e-mail whichever field carried it."""
    return submitted_email(request, credentials)


def refused_while_locked(request) -> bool:
    """True when axes refused this attempt because the account was already locked.

    axes flags ``axes_locked_out`` both on the failure that starts a lock and on every
    attempt refused during it; only the former has counted failures
    (``axes_failures_since_start``), the refusal never reaches the counting.
    """
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


def locked_message(locked_until) -> str:
    when = timezone.localtime(locked_until).strftime("%H:%M:%S %Z")
    return (
        "This account is locked after too many failed log-ins. "
        f"Try again after {when} or ask staff to unlock it."
    )


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After`` and the time the lock ends."""
    from marketplace.ratelimits import wants_json

    email = username_from_credentials(request, credentials)
    now = timezone.now()
    # A lock that started in this very request is already recorded, so this is found;
    # the fallback covers a lock lifted between the check and this answer.
    locked_until = (email and account_locked_until(email=email, now=now)) or now
    retry_after = max(1, math.ceil((locked_until - now).total_seconds()))
    message = locked_message(locked_until)
    if wants_json(request):
        response = JsonResponse(
            {"detail": message, "errors": [], "locked_until": locked_until.isoformat()}, status=429
        )
    else:
        response = render(
            request,
            "accounts/locked.html",
            {"message": message, "locked_until": locked_until, "retry_after": retry_after},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response
