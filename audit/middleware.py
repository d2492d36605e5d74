from audit.context import RequestContext, current_request
from marketplace.requests import client_ip


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
                path=request.path[:512],
                method=request.method or "",
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
