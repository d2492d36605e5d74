"""Facts about an incoming request that several apps need."""

import re
import uuid
from contextvars import ContextVar

# The id of the request being served, or of the request that queued the task being
# run: set by ``marketplace.middleware.RequestIdMiddleware`` and the task hooks in
# ``marketplace.tasks_observed``; read by the log filter and by ``audit``.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")

# An incoming X-Request-ID is kept only if it is short and plain (it goes into logs
# and audit rows); anything else gets a fresh id.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the peer; trusting X-Forwarded-For would let anyone forge it.
    return request.META.get("REMOTE_ADDR") or None


def request_id_of(request) -> str:
    """The request's own id: a safe incoming ``X-Request-ID`` or a new one."""
    incoming = request.headers.get("X-Request-ID", "")
    if _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex
