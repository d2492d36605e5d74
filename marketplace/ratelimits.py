"""Request rate limits, counted in the cache (Redis) so every process and server shares them.

Three named limits, each a django-ratelimit rate string read from settings on every
request (so ``override_settings`` and env changes apply without a restart):

- ``default`` (``RATE_LIMIT_DEFAULT``, 100/m): every page and API request, all methods,
  applied by ``RateLimitMiddleware``; ``/api/health/`` and static files are exempt.
- ``uploads`` (``RATE_LIMIT_UPLOADS``, 10/m): spreadsheet imports and OCR uploads,
  POST/PUT/PATCH/DELETE only, applied with ``@rate_limited("uploads")``.
- ``exports`` (``RATE_LIMIT_EXPORTS``, 50/h): exports in any format, all methods,
  applied with ``@rate_limited("exports")``.
- ``feeds`` (``RATE_LIMIT_FEEDS``, 30/h): fetches of one catalog feed, counted per
  feed (``feeds.views.feed_file``).
- ``accounts`` (``RATE_LIMIT_ACCOUNTS``, 20/m): every log-in and registration door
  (HTML log-in and sign-up, admin log-in, API login and register), POST only,
  applied with ``@rate_limited("accounts", key=accounts.identity.account_key)`` so it
  counts per canonical e-mail, whatever the spelling, door or client IP.

Other requests are counted per user when the request is authenticated (session or
Bearer token) and per client IP otherwise. One counter per limit name: the spreadsheet import
and the OCR upload share the "uploads" budget.

Over a limit the answer is HTTP 429 with ``Retry-After`` (seconds until the window
ends): DRF views raise ``Throttled`` so the API's usual error shape applies, other
``/api/`` paths get the same JSON, and pages get a friendly HTML page.

When the cache is unreachable the limits FAIL OPEN (``RATELIMIT_FAIL_OPEN = True``):
the request is served and a warning is logged. A Redis outage must not turn into a
site-wide outage, and the expensive abuse cases stay bounded by other guards that do
not live in Redis (account lockout is in the database; upload sizes and row counts are
capped by IMPORT_MAX_BYTES / OCR_MAX_BYTES). Set ``RATELIMIT_FAIL_OPEN=0`` to refuse
requests instead; they then get 429 with ``Retry-After: 1``.
"""

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled
from rest_framework.request import Request

from marketplace.requests import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    setting: str
    methods: object  # django-ratelimit's ALL or a list of method names


LIMITS = {
    "default": Limit("RATE_LIMIT_DEFAULT", ALL),
    # Showing an upload form is free; sending a file is what costs.
    "uploads": Limit("RATE_LIMIT_UPLOADS", UNSAFE),
    # Exports are often plain GET downloads, so every method counts.
    "exports": Limit("RATE_LIMIT_EXPORTS", ALL),
    # Fetches of one catalog feed, counted per feed (the fetcher has no log-in).
    "feeds": Limit("RATE_LIMIT_FEEDS", ALL),
    # Log-ins and registrations, counted by the account they name.
    "accounts": Limit("RATE_LIMIT_ACCOUNTS", UNSAFE),
}


def client_key(group: str, request) -> str:
    """``user:<pk>`` for an authenticated request, ``ip:<address>`` otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or 'unknown'}"


def _bearer_user_id(request: HttpRequest) -> str | None:
    """The user id in a valid Bearer access token, without a database query.

    Middleware runs before DRF authenticates, so without this every API client
    would be counted by IP. An invalid token falls back to the IP; the view then
    refuses it anyway.
    """
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.settings import api_settings

    authentication = JWTAuthentication()
    header = authentication.get_header(request)
    try:
        raw_token = authentication.get_raw_token(header) if header else None
        token = authentication.get_validated_token(raw_token) if raw_token else None
    except AuthenticationFailed:  # malformed header or invalid token
        return None
    if token is None:
        return None
    user_id = token.get(api_settings.USER_ID_CLAIM)
    return str(user_id) if user_id is not None else None


def request_key(group: str, request: HttpRequest) -> str:
    """Like ``client_key`` but also recognises a Bearer token (used by the middleware)."""
    user_id = _bearer_user_id(request)
    if user_id is not None:
        return f"user:{user_id}"
    return client_key(group, request)


def count_request(request, name: str, *, key=client_key) -> int | None:
    """Count ``request`` against the limit ``name``.

    Returns the seconds to wait when the request is over the limit, else None.
    """
    limit = LIMITS[name]
    if not settings.RATELIMIT_ENABLE:
        return None
    if limit.methods is not ALL and request.method not in limit.methods:
        return None
    rate = getattr(settings, limit.setting)
    usage = get_usage(request, group=f"mbe:{name}", key=key, rate=rate, method=limit.methods, increment=True)
    if usage is None:
        # Enabled, method matched, rate set: None means the counter could not be read.
        logger.warning("Rate limit %r not enforced: the cache is unreachable (failing open).", name)
        return None
    if usage["limit"] == 0:
        logger.warning("Rate limit %r refused a request: the cache is unreachable (failing closed).", name)
    if not usage["should_limit"]:
        return None
    # django-ratelimit's window still includes its last second (``time_left == 0``),
    # so the first second that counts afresh is one later.
    return max(1, usage["time_left"] + 1)


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_many_requests_error(retry_after: int) -> Throttled:
    # DRF's wording ("... Expected available in N seconds."), so the middleware's JSON
    # and DRF views read the same.
    return Throttled(wait=retry_after, detail="Too many requests.")


def too_many_requests(request, retry_after: int) -> HttpResponse:
    """429 with ``Retry-After``: JSON in the API's error shape, or a friendly page."""
    if wants_json(request):
        detail = str(too_many_requests_error(retry_after).detail)
        response = JsonResponse({"detail": detail, "errors": []}, status=429)
    else:
        message = f"Too many requests. Please wait {retry_after} seconds and try again."
        response = render(
            request,
            "accounts/rate_limited.html",
            {"retry_after": retry_after, "message": message},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def _exempt(path: str) -> bool:
    # Health and metrics must answer even to a client that is over its limit (load
    # balancers, monitors, the status indicator in every page); static files cost
    # nothing to serve.
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    return (
        path.startswith(reverse("health"))  # and its liveness and readiness probes
        or path == reverse("metrics")
        or path.startswith(static_prefix)
    )


class RateLimitMiddleware:
    """Applies the ``default`` limit to every request but health checks and static files.

    Sits after AuthenticationMiddleware so a session user is counted as that user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _exempt(request.path_info):
            retry_after = count_request(request, "default", key=request_key)
            if retry_after is not None:
                return too_many_requests(request, retry_after)
        return self.get_response(request)


def _find_request(args) -> HttpRequest | Request:
    # A function view gets the request first; a method (APIView.post, a ViewSet
    # action) gets it after ``self``.
    for arg in args[:2]:
        if isinstance(arg, (HttpRequest, Request)):
            return arg
    raise TypeError("rate_limited must decorate a view: no request among its first two arguments.")


def rate_limited(name: str, *, key=client_key):
    """Limit a view with the named limit ("uploads", "exports" or "accounts"), on top
    of the global one; ``key(group, request)`` names the counter (by default the user
    or the client IP).

    Usage::

        from marketplace.ratelimits import rate_limited

        # A function view (HTML or HTMX). Put it under @login_required so a
        # logged-in user is counted as themselves and anonymous requests are
        # redirected to log in without spending the budget.
        @login_required
        @rate_limited("uploads")
        def import_upload(request): ...

        # A DRF function view: put it UNDER @api_view, so it receives DRF's request
        # (Bearer token users are then counted per user).
        @api_view(["POST"])
        @rate_limited("uploads")
        def scan_create(request): ...

        # A DRF class-based view or ViewSet: decorate the handler method.
        class ExportView(APIView):
            @rate_limited("exports")
            def get(self, request, format_name): ...

    "uploads" counts only POST/PUT/PATCH/DELETE (showing the form is free);
    "exports" counts every method. Over the limit the view is not called: DRF views
    raise ``Throttled`` (429 JSON with ``Retry-After``), other views return
    ``too_many_requests`` (JSON under /api/, a friendly page otherwise).
    """
    if name not in LIMITS:
        raise ValueError(f"Unknown rate limit {name!r}; choose from {sorted(LIMITS)}.")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            request = _find_request(args)
            retry_after = count_request(request, name, key=key)
            if retry_after is not None:
                if isinstance(request, Request):
                    raise too_many_requests_error(retry_after)
                return too_many_requests(request, retry_after)
            return view(*args, **kwargs)

        return wrapped

    return decorator
