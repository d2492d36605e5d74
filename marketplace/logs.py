"""Structured logs: one JSON line per request, each log line tagged with its request id.

``RequestLogMiddleware`` (outermost) gives every request an id (a safe incoming
``X-Request-ID`` or a new one), puts it in ``marketplace.requests.current_request_id``
for the request's logs, tasks and audit rows, answers it in ``X-Request-ID`` and
logs one ``request`` line when the answer is ready.
"""

import logging
import time

from django.http import HttpRequest, HttpResponse

from marketplace.requests import client_ip, current_request_id, request_id_of

request_logger = logging.getLogger("marketplace.request")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "ip": client_ip(request),
                },
            )
            return response
        finally:
            current_request_id.reset(token)
