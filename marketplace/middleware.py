"""Response headers every page and API answer gets."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
        holds_user_data = request.path.startswith("/api/") or request.user.is_authenticated
        if holds_user_data and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
