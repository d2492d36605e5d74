"""Django's CommonMiddleware, made safe for API clients.

With ``APPEND_SLASH`` Django answers a path that misses its trailing slash with a
redirect, which turns a POST into a GET and loses its body (and with ``DEBUG`` raises
``RuntimeError``, a 500). Under ``/api/`` the answer is instead a JSON 404 that names
the path to call; paths of the Flask-compatible API (no slash) match before this runs.
Any other 404 under ``/api/`` is JSON too, never the HTML error page.
"""

from django.http import JsonResponse
from django.middleware import common

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
