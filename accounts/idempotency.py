"""Requests that apply once: a repeat of a request under the same key gets the
first answer, and the change it asked for is not made again (see
``accounts.models.IdempotentRequest`` for why the keys live in the database).

Only answers that changed something (2xx) are kept: a refused request (4xx) or
one that failed rolls back with its key, so the same key may be sent again
once the input is fixed. Keys are the user's own: two users may use the same.
A key is not audited: the change it guards is."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

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
