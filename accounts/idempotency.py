"""Requests that apply once: a repeat of a request under the same key gets the
first answer, and the change it asked for is not made again (see
``accounts.models.IdempotentRequest`` for why the keys live in the database).

Used by the views that change many listings at once: the grid's bulk actions
(whose form carries a one-time token, ``idempotency_key``) and the API's bulk
endpoints (the ``Idempotency-Key`` header). A repeat is answered with the first
answer and ``Idempotent-Replayed: true``. Without a key a request runs as usual.

Only answers that changed something (2xx) are kept: a refused request (4xx) or
one that failed rolls back with its key, so the same key may be sent again
once the input is fixed. Keys are the user's own: two users may use the same.
A key is not audited: the change it guards is."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import IdempotentRequest, User

# As long as a client may retry (Stripe keeps keys for 24 hours too).
KEY_LIFETIME = timedelta(hours=24)
KEY_MAX_LENGTH = IdempotentRequest._meta.get_field("key").max_length


@dataclass(frozen=True)
class Answer:
    """What a request was answered with, kept for its repeats."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


class KeyInvalid(ValueError):
    """The key is empty, too long or not printable ASCII."""


class KeyReused(ValueError):
    """The key was used for a different request: answering with that request's
    result would be wrong, and applying this one would break the key's promise."""


def check_key(key: str) -> str:
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise KeyInvalid(f"An Idempotency-Key is 1–{KEY_MAX_LENGTH} printable ASCII characters.")
    return key


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _stored(record: IdempotentRequest) -> Answer:
    return Answer(
        status=record.status,
        content_type=record.content_type,
        body=bytes(record.body),
        headers=record.headers,
        replayed=True,
    )


class _NotKept(Exception):
    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def run_once(*, user: User, key: str, fingerprint: str, run: Callable[[], Answer]) -> Answer:
    """``run()`` under ``key``, or the answer it gave the first time.

    The key is inserted before ``run()`` in the same transaction: a repeat sent
    while the first is still running blocks on the key's unique index until the
    first commits (then it reads the first answer) or rolls back (then it runs)."""
    check_key(key)
    now = timezone.now()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.filter(user=user, expires_at__lte=now).delete()
            record = IdempotentRequest(
                user=user,
                key=key,
                fingerprint=fingerprint,
                status=0,
                content_type="",
                body=b"",
                created_at=now,
                expires_at=now + KEY_LIFETIME,
            )
            try:
                with transaction.atomic():
                    record.save(force_insert=True)
            except IntegrityError:
                existing = IdempotentRequest.objects.get(user=user, key=key)
                if existing.fingerprint != fingerprint:
                    raise KeyReused("This Idempotency-Key was used for a different request.") from None
                return _stored(existing)
            answer = run()
            if not 200 <= answer.status < 300:
                raise _NotKept(answer)
            record.status = answer.status
            record.content_type = answer.content_type
            record.body = answer.body
            record.headers = answer.headers
            record.save(update_fields=["status", "content_type", "body", "headers"])
            return answer
    except _NotKept as refused:
        return refused.answer


# --- Views -------------------------------------------------------------------

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
