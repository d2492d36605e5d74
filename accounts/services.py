"""Writes about accounts; each one leaves its audit entry (ip and user agent come from
the request context that ``audit.middleware`` sets).

Session log-ins and log-outs (HTML and admin) reach ``login_record`` /
``logout_record`` through Django's auth signals (see ``accounts.signals``), because
the admin's own views call ``django.contrib.auth.login``; the token API calls them
directly. Failed log-ins and lockouts arrive from Django's and django-axes' signals.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.selectors import login_name, user_by_login_name
from audit.services import audit_record, field_changes
from marketplace.errors import FieldError, InvalidInput


class InvalidRefreshToken(Exception):
    """The refresh token is malformed, expired or already revoked."""


class EmailTaken(Exception):
    """Another account already has this e-mail (in any spelling): the check before the
    write passed, but a concurrent registration stored it first."""


# Both unique constraints on the e-mail: the field's own and the case-insensitive one.
EMAIL_CONSTRAINTS = {"accounts_user_email_key", "accounts_user_email_ci_unique"}


def _violated_constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=is_staff,
                is_superuser=is_superuser,
            )
    except IntegrityError as exc:
        if _violated_constraint(exc) in EMAIL_CONSTRAINTS:
            raise EmailTaken(email) from exc
        raise
    audit_record(actor=actor or user, action="register", obj=user, changes={"email": [None, user.email]})
    return user


# What a staff member may change on an account in the admin (the password has its own form).
USER_ADMIN_FIELDS = ("email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


@transaction.atomic
def user_admin_update(*, user: User, data: Mapping[str, Any], actor: User) -> User:
    """A staff member's change to someone's account; privilege changes are audited."""
    unknown = set(data) - set(USER_ADMIN_FIELDS)
    if unknown:
        raise InvalidInput([FieldError(name, "Not editable here.") for name in sorted(unknown)])
    stored = User.objects.select_for_update().get(pk=user.pk)
    changes = field_changes({name: getattr(stored, name) for name in data}, data)
    if changes:
        for name in changes:
            setattr(stored, name, data[name])
        stored.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.admin_update", obj=stored, changes=changes)
    return stored


@transaction.atomic
def user_delete(*, user: User, actor: User) -> None:
    """Delete an account and everything it owns (listings, templates, scans, imports);
    its audit entries stay, without their actor."""
    audit_record(actor=actor, action="user.delete", obj=user, changes={"email": [user.email, None]})
    user.delete()


@transaction.atomic
def user_password_set(*, user: User, password: str | None, actor: User) -> User:
    """Set someone's password (``None`` disables password log-in). The audit row
    says that it changed, never what it is."""
    had_usable = user.has_usable_password()
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    _refresh_tokens_revoke_all(user=user)
    audit_record(
        actor=actor,
        action="user.password_set",
        obj=user,
        changes={"usable_password": [had_usable, user.has_usable_password()]},
    )
    return user


@transaction.atomic
def user_update(*, user: User, first_name: str, last_name: str, currency: str | None = None) -> User:
    after = {"first_name": first_name, "last_name": last_name, "currency": currency or user.currency}
    before = {field: getattr(user, field) for field in after}
    changes = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    if changes:
        for field, value in after.items():
            setattr(user, field, value)
        user.save(update_fields=list(after))
        audit_record(actor=user, action="profile_update", obj=user, changes=changes)
    return user


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> User:
    """Set a new password and revoke every refresh token the user holds.

    Other browser sessions end on their own: Django ties a session to the password
    hash. The caller keeps its own session with ``update_session_auth_hash``.
    """
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _refresh_tokens_revoke_all(user=user)
    audit_record(actor=user, action="password_change", obj=user)
    return user


def _refresh_tokens_revoke_all(*, user: User) -> int:
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


@transaction.atomic
def token_pair_create(*, user: User) -> dict[str, str]:
    """A fresh refresh/access pair, as handed out by register and the API log-in."""
    refresh = RefreshToken.for_user(user)
    # Session log-ins update last_login through Django's signal; token log-ins don't.
    update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def refresh_token_rotate(*, refresh: str) -> dict[str, str]:
    """Trade a refresh token for a new pair; the token traded can never be used again.

    Single use holds under concurrency: the used token is blacklisted with an insert
    that the unique ``BlacklistedToken.token`` decides, so of any number of parallel
    requests with one token exactly one inserts the row and gets a pair; the others
    find the row (after the winner commits) and are refused. simplejwt's own view
    checks the blacklist first and inserts after, so two requests could both pass.
    """
    try:
        token = RefreshToken(refresh)  # signature, expiry and "already blacklisted"
    except TokenError as exc:
        raise InvalidRefreshToken(str(exc)) from exc
    user = User.objects.filter(pk=token.payload.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
        raise InvalidRefreshToken("No active account found for the given token.")
    _, blacklisted_now = token.blacklist()  # get_or_create on the unique token row
    if not blacklisted_now:
        raise InvalidRefreshToken("Token is blacklisted")
    rotated = RefreshToken.for_user(user)
    return {"access": str(rotated.access_token), "refresh": str(rotated)}


@transaction.atomic
def refresh_token_revoke(*, refresh: str) -> User | None:
    """Log out of the API: blacklist ``refresh`` so it can never be used again."""
    try:
        token = RefreshToken(refresh)
        token.blacklist()
    except TokenError as exc:
        raise InvalidRefreshToken(str(exc)) from exc
    user = User.objects.filter(pk=token.payload.get("user_id")).first()
    logout_record(user=user)
    return user


def access_token_refresh(*, refresh: str) -> str:
    """A new access token for a valid, not revoked refresh token, which stays valid
    (the Flask-compatible refresh: its clients keep one refresh token until it expires;
    the native refresh rotates it)."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidRefreshToken(str(exc)) from exc
    user = User.objects.filter(pk=token.payload.get("user_id"), is_active=True).first()
    if user is None:
        raise InvalidRefreshToken("No active account found for the given token.")
    return str(token.access_token)


@transaction.atomic
def user_logout_everywhere(*, user: User) -> int:
    """Log ``user`` out of the API on every device: revoke all their refresh tokens.
    Access tokens end on their own within their short lifetime."""
    revoked = _refresh_tokens_revoke_all(user=user)
    logout_record(user=user)
    return revoked


@transaction.atomic
def login_record(*, user: User) -> None:
    """A successful log-in on any door: audited, and the failure count starts again."""
    from axes.handlers.proxy import AxesProxyHandler

    # axes resets on session log-ins itself; the token door has no such signal.
    AxesProxyHandler.reset_attempts(username=login_name(user.email))
    audit_record(actor=user, action="login", obj=user)


@transaction.atomic
def logout_record(*, user: User | None) -> None:
    audit_record(actor=user, action="logout", obj=user)


@transaction.atomic
def login_failure_record(*, email: str | None, locked: bool) -> None:
    """A refused log-in. The entry names the account only internally: the answer to the
    client is the same whether the e-mail exists or not."""
    user = user_by_login_name(email)
    audit_record(
        actor=None,
        action="login_failed",
        obj=user,
        object_type="accounts.user",
        changes={"email": email or "", "reason": "locked" if locked else "bad_credentials"},
    )


@transaction.atomic
def lockout_record(*, email: str | None) -> None:
    user = user_by_login_name(email)
    audit_record(
        actor=None, action="lockout", obj=user, object_type="accounts.user", changes={"email": email or ""}
    )


@transaction.atomic
def account_unlock(*, email: str, actor: User) -> int:
    """Staff lift a lockout before the cool-off ends; returns the attempt rows removed."""
    from axes.handlers.proxy import AxesProxyHandler

    removed = AxesProxyHandler.reset_attempts(username=login_name(email))
    audit_record(
        actor=actor,
        action="unlock",
        obj=user_by_login_name(email),
        object_type="accounts.user",
        changes={"email": email, "attempts_removed": removed},
    )
    return removed
