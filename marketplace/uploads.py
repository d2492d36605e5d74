"""Serving uploaded files: only to their owner, never from a public URL.

Every stored upload (import files, OCR scans and their page images) lives in
Django's default storage (``STORAGES["default"]``: the file system unless
``UPLOADS_STORAGE_BACKEND`` names another, such as an S3-compatible store) and is
answered only by a view that first fetches the owner's object, so another user's
file is a 404 like any of their data. Nothing maps ``MEDIA_ROOT`` to a URL, in any
mode. Responses name the file in ``Content-Disposition`` (an attachment unless it
is a page image we drew ourselves), carry ``X-Content-Type-Options: nosniff`` and
``Cache-Control: private, no-store``, and use a content type we chose, never one
guessed from the uploaded name. With ``UPLOADS_X_ACCEL_REDIRECT`` set (nginx in
front of a file-system store), the response carries only these headers and an
``X-Accel-Redirect`` to that internal location, and nginx sends the bytes.
Staged import rows are never served.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

PRIVATE = "private, no-store"


def serve_upload(file: FieldFile, *, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    """The response that sends ``file`` (already fetched for its owner) as ``filename``."""
    prefix = settings.UPLOADS_X_ACCEL_REDIRECT
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{file.name}"
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE
    # Even if a browser were talked into rendering it, nothing in it may run.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def login_or_token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages log in with the session; API clients send their JWT. A bad or expired
    token is a 401 in the API's error shape; no credentials at all go to log in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and request.META.get("HTTP_AUTHORIZATION"):
            try:
                authenticated = JWTAuthentication().authenticate(request)
            except AuthenticationFailed:
                authenticated = None
            if authenticated is None:
                response = JsonResponse(
                    {"detail": "The token is invalid or expired.", "errors": []}, status=401
                )
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            request.user = authenticated[0]
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
