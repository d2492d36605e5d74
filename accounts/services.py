from django.db import transaction

from accounts.models import User
from audit.services import audit_record


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
