"""The one rule that says which account an e-mail address names.

Two spellings name the same account exactly when their canonical forms are equal:
``canonical_email`` strips surrounding spaces, applies Unicode NFKC (compatibility
forms such as the long s ``ſ``, full-width letters or ligatures become their plain
letters) and case folding (``Straße`` and ``STRASSE`` are one name), then NFKC again
because folding can leave a string that is no longer normalised (Unicode's
NFKC_Casefold recipe).

The form is what is stored in ``User.email``, what every log-in, registration and
admin lookup matches with plain equality, what django-axes counts failures under and
what the per-account rate limit keys on. Nothing compares e-mails with the
database's own case rules (``iexact`` is ``UPPER()`` in Postgres, which folds ``ſ`` to
``S`` and ``ı`` to ``I`` where Python's rules differ), so the lock and the log-in can
never disagree about who is meant.
"""

import unicodedata

from marketplace.ratelimits import client_key, rate_limited


def canonical_email(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


# The longest address SMTP carries (RFC 5321); a longer value names no account.
MAX_EMAIL_LENGTH = 254


def submitted_email(request, credentials: dict | None = None) -> str | None:
    """The canonical e-mail a log-in or registration carries, whichever door sent it:
    the credentials handed to ``authenticate``, a DRF request's parsed body, or a
    form post (the HTML and admin log-ins post ``username``, the API and sign-up
    ``email``). A value too long to be an address is none (and would overflow the
    lockout's records)."""
    sources = [credentials or {}]
    data = getattr(request, "data", None)  # a DRF request's parsed body
    sources += [data] if isinstance(data, dict) else []
    sources.append(getattr(request, "POST", {}))
    for source in sources:
        for field in ("email", "username"):
            value = source.get(field)
            if value and isinstance(value, str) and len(value) <= MAX_EMAIL_LENGTH:
                return canonical_email(value)
    return None


def account_key(group: str, request) -> str:
    """The rate-limit key of the log-in and registration doors: ``email:<canonical
    e-mail>``, so every spelling of an address spends one budget whichever door and
    IP it comes from (the client's key when no e-mail was sent)."""
    email = submitted_email(request)
    return f"email:{email}" if email else client_key(group, request)


# The per-account limit of every log-in and registration door.
account_rate_limited = rate_limited("accounts", key=account_key)
