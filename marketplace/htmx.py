"""Signed-out HTMX requests: ``login_required`` answers with a redirect to the
log-in page, which the browser's XHR follows quietly, so htmx would paste the
whole log-in page into a cell and the edit would be lost (issue 13, bug 2). For an
HTMX request the redirect becomes ``401`` with ``HX-Redirect`` to the log-in page,
whose ``next`` is the page the seller was on (not the fragment's URL), and the
page keeps what was typed (static/js/grid-session.js)."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import resolve_url


def _page_path(request) -> str:
    """The path and query of the page that sent the request (HX-Current-URL), if
    it is on this site; else the request's own path."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.path and current.netloc == request.get_host():
        return current.path + (f"?{current.query}" if current.query else "")
    return request.get_full_path()


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code != 302:
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login_url:
            return response
        answer = HttpResponse(
            "Your session has ended. Please log in again.", status=401, content_type="text/plain"
        )
        answer["HX-Redirect"] = f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: _page_path(request)})}"
        return answer
