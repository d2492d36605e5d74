"""The user admin: e-mail is the login name, passwords hashed by Django, every
change made by staff audited with the staff member as actor."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-kettle-harbour-91"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_add_user_with_email_as_login_name(staff_client, staff):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Seller@Example.COM",
            "first_name": "New",
            "last_name": "Seller",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email__iexact="new.seller@example.com")
    assert user.email == "new.seller@example.com"  # stored in canonical form (accounts.identity)
    assert user.password.startswith("argon2$") and user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="register", object_id=str(user.pk))
    assert entry.actor == staff


def test_add_user_refuses_an_email_taken_in_another_case(staff_client, owner):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "OWNER@example.com", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert "A user with that e-mail address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1


def test_add_user_without_a_password_cannot_log_in(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"), {"email": "nopass@example.com", "usable_password": "false"}
    )

    assert response.status_code == 302
    assert not User.objects.get(email="nopass@example.com").has_usable_password()


def test_change_user_audits_privilege_changes(staff_client, staff, owner):
    response = staff_client.post(
        reverse("admin:accounts_user_change", args=[owner.pk]),
        {
            "email": owner.email,
            "first_name": owner.first_name,
            "last_name": "Renamed",
            "is_active": "on",
            "is_staff": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    owner.refresh_from_db()
    assert owner.is_staff and owner.last_name == "Renamed"
    entry = AuditEntry.objects.get(action="user.admin_update")
    assert entry.actor == staff
    assert entry.changes == {"last_name": ["Seller", "Renamed"], "is_staff": [False, True]}


def test_password_change_is_hashed_and_audited_without_the_password(staff_client, staff, owner):
    response = staff_client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="user.password_set")
    assert entry.actor == staff and entry.object_id == str(owner.pk)
    assert NEW_PASSWORD not in str(entry.changes) and owner.password not in str(entry.changes)


def test_users_are_deactivated_not_deleted(staff_client, owner):
    response = staff_client.post(reverse("admin:accounts_user_delete", args=[owner.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=owner.pk).exists()


def test_staff_log_in_to_the_admin_with_their_email(client, password):
    UserFactory(email="boss@example.com", is_staff=True)

    response = client.post(
        reverse("admin:login"), {"username": "BOSS@example.com", "password": password, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).context["user"].email == "boss@example.com"


def test_non_staff_cannot_open_the_user_admin(client, owner):
    client.force_login(owner)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_user_changelist_searches_by_email(staff_client, owner, other_user):
    response = staff_client.get(reverse("admin:accounts_user_changelist") + "?q=other%40")

    assert list(response.context["cl"].result_list) == [other_user]
