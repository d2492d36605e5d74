"""Facts about an incoming request that several apps need."""


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the peer; trusting X-Forwarded-For would let anyone forge it.
    return request.META.get("REMOTE_ADDR") or None
