"""Who is asking, from where: set per request, read when an audit row is written.

Services receive the acting user explicitly; the request facts (ip, user agent,
path, method) would otherwise have to be threaded through every call, so the
middleware puts them in a context variable for ``audit.services``.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    path: str = ""
    method: str = ""


NO_REQUEST = RequestContext()
# The default is a frozen (immutable) dataclass, so sharing it is safe.
current_request: ContextVar[RequestContext] = ContextVar("current_request", default=NO_REQUEST)
