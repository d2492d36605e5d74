"""What every page and API answer goes through: input no view can use (parameters
the database cannot store, API paths that miss their trailing slash) is answered
here, and answers holding a seller's data are kept out of caches.

Django's CommonMiddleware, with ``APPEND_SLASH``, answers a path that misses its
trailing slash with a redirect, which turns a POST into a GET and loses its body (and
with ``DEBUG`` raises ``RuntimeError``, a 500). Under ``/api/`` the answer is instead a
JSON 404 that names the path to call; paths of the Flask-compatible API (no slash)
match before this runs. Any other 404 under ``/api/`` is JSON too, never an HTML page.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware import common
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from marketplace.input import InvalidParameter, unstorable_reason

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestInputMiddleware:
    """A query or form parameter (name, value or upload's file name) holding NUL is a
    400 naming it; so is an ``InvalidParameter`` raised by any view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if error := _unstorable_parameter(request):
            return bad_parameter_response(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, InvalidParameter):
            return bad_parameter_response(request, exception)
        return None


def _unstorable_parameter(request: HttpRequest) -> InvalidParameter | None:
    parameters = list(request.GET.lists())
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        # The same parse the view would do (Django keeps it); JSON bodies are the API
        # parser's to check (``marketplace.parsers``).
        try:
            parameters += request.POST.lists()
            parameters += [
                (name, [file.name or "" for file in files]) for name, files in request.FILES.lists()
            ]
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
            # Django's body limits (DATA_UPLOAD_MAX_*): answered here in the door's shape,
            # not as Django's HTML 400 page.
            return InvalidParameter("body", str(exc))
    for name, values in parameters:
        for text in (name, *values):
            if reason := unstorable_reason(text):
                return InvalidParameter(name, reason)
    return None


def bad_parameter_response(request: HttpRequest, error: InvalidParameter) -> HttpResponse:
    # Every API route is under /api/ (marketplace/urls.py); clients there read JSON.
    if request.path_info.startswith(API_PREFIX):
        # Answered before any view, so in both APIs' shapes at once (the native
        # ``detail``/``errors`` and the Flask-compatible ``error``/``details``).
        body = {
            "detail": "Invalid input.",
            "errors": [{"field": error.name, "message": error.message}],
            "error": "Invalid input.",
            "details": {error.name: [error.message]},
        }
        return JsonResponse(body, status=400)
    # Read the header: django-htmx's middleware runs after this one.
    template = "400.html#problem" if request.headers.get("HX-Request") == "true" else "400.html"
    return render(request, template, {"error": error}, status=400)


API_PREFIX = "/api/"


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class CommonMiddleware(common.CommonMiddleware):
    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(API_PREFIX):
            if self.should_redirect_with_slash(request):
                path = f"{request.path}/"
                return JsonResponse(
                    {
                        "detail": f"No such path; this operation's path ends with a slash: {path}",
                        "errors": [{"field": "path", "message": f"Use {path}"}],
                        "error": f"Not found; use {path}",
                        "path": path,
                    },
                    status=404,
                )
            if not _is_json(response):
                return JsonResponse(
                    {"detail": "No such API path.", "errors": [], "error": "Not found"}, status=404
                )
        return super().process_response(request, response)


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every API answer and every page seen
    logged in: they hold a seller's listings, and neither a shared proxy nor the
    browser's back-forward cache on a shared computer should keep them. Responses
    that set their own Cache-Control keep it (static files never get here:
    WhiteNoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # API clients authenticate with a token inside the view, so the path decides there.
        holds_user_data = request.path.startswith(API_PREFIX) or request.user.is_authenticated
        if holds_user_data and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
