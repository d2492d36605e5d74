"""``Idempotency-Key`` for the views that change many listings at once: the grid's
bulk actions (whose form carries a one-time token, ``idempotency_key``) and the
API's bulk endpoints (the header). A repeated request is answered with the first
answer and a ``Idempotent-Replayed: true`` header, and is applied once. Without a
key a request runs as usual. The rules are in ``accounts.idempotency``."""

import json
from functools import wraps

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.idempotency import Answer, KeyInvalid, KeyReused, request_fingerprint, run_once

HEADER = "Idempotency-Key"
# The grid's bulk form sends its token as a field (htmx posts the form).
FORM_FIELD = "idempotency_key"
# Headers a replay must carry again: what the page listens for (HX-Trigger & co).
KEPT_HEADERS = (
    "HX-Trigger",
    "HX-Trigger-After-Settle",
    "HX-Trigger-After-Swap",
    "HX-Redirect",
    "Location",
    "ETag",
)
REPLAYED = "Idempotent-Replayed"

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (e.g. a UUID) per intended change. A repeat with the same key within 24 hours "
        "gets the first answer (with Idempotent-Replayed: true) and changes nothing; the same key with a "
        "different body answers 422."
    ),
)


class KeyReusedError(APIException):
    status_code = 422
    default_code = "idempotency_key_reused"


def _answer(response: HttpResponse) -> Answer:
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    return Answer(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content,
        headers=headers,
    )


def _response(answer: Answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers.items():
        response[name] = value
    if answer.replayed:
        response[REPLAYED] = "true"
    return response


def idempotent(view):
    """For function views (after ``login_required``): run once per key."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER) or request.POST.get(FORM_FIELD)
        if key is None:
            return view(request, *args, **kwargs)
        # The parsed form, not the raw body: a multipart body cannot be read again
        # once parsed, and its boundary differs between two sends of one form.
        fields = json.dumps(sorted(request.POST.lists())).encode()
        fingerprint = request_fingerprint(request.method, request.path, fields)
        try:
            answer = run_once(
                user=request.user,
                key=key,
                fingerprint=fingerprint,
                run=lambda: _answer(view(request, *args, **kwargs)),
            )
        except (KeyInvalid, KeyReused) as exc:
            return HttpResponse(str(exc), status=422 if isinstance(exc, KeyReused) else 400)
        return _response(answer)

    return wrapper


def idempotent_api(method):
    """For DRF view methods: the same, keeping the answer's data as JSON."""

    @wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(self, request, *args, **kwargs)
        body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True).encode()

        def run() -> Answer:
            response = method(self, request, *args, **kwargs)
            data = json.dumps(response.data, cls=JSONEncoder).encode()
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            return Answer(
                status=response.status_code, content_type="application/json", body=data, headers=headers
            )

        try:
            answer = run_once(
                user=request.user,
                key=key,
                fingerprint=request_fingerprint(request.method, request.path, body),
                run=run,
            )
        except KeyInvalid as exc:
            raise ValidationError({HEADER: [str(exc)]}) from exc
        except KeyReused as exc:
            raise KeyReusedError(str(exc)) from exc
        response = Response(json.loads(answer.body) if answer.body else None, status=answer.status)
        for name, value in answer.headers.items():
            response[name] = value
        if answer.replayed:
            response[REPLAYED] = "true"
        return response

    return wrapper
