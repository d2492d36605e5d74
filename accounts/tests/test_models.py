import pytest
from django.db import IntegrityError, transaction

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case():
    User.objects.create_user(email="Seller@Example.com", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="seller@example.com", password="x")


def test_login_name_is_found_case_insensitively():
    user = User.objects.create_user(email="Seller@Example.com", password="x")
    assert User.objects.get_by_natural_key("SELLER@example.COM") == user


def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user(email="a@example.com", password="a long passphrase")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long passphrase")
