from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import audit_record, field_changes


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
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    audit_record(actor=actor or user, action="register", obj=user, changes={"email": [None, user.email]})
    return user


# What a staff member may change on an account in the admin (the password has its own form).
USER_ADMIN_FIELDS = ("email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


@transaction.atomic
def user_admin_update(*, user: User, data: Mapping[str, Any], actor: User) -> User:
    """A staff member's change to someone's account; privilege changes are audited."""
    unknown = set(data) - set(USER_ADMIN_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}.")
    stored = User.objects.select_for_update().get(pk=user.pk)
    changes = field_changes({name: getattr(stored, name) for name in data}, data)
    if changes:
        for name in changes:
            setattr(stored, name, data[name])
        stored.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.admin_update", obj=stored, changes=changes)
    return stored


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
    audit_record(
        actor=actor,
        action="user.password_set",
        obj=user,
        changes={"usable_password": [had_usable, user.has_usable_password()]},
    )
    return user
