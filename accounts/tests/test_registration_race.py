"""Registrations of one address at the same moment: one account, never a 500."""

import pytest
from django.test import Client

from accounts import services
from accounts.models import User
from marketplace.tests.threads import run_together

SPELLINGS = ["race@example.com", "RACE@example.com", "race@EXAMPLE.com", "Race@Example.COM"]


def register(email: str):
    return Client().post(
        "/api/auth/register/",
        {"email": email, "password": "plum tart 2 ledger"},
        content_type="application/json",
    )


def sign_up(email: str):
    password = "plum tart 2 ledger"
    return Client().post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


@pytest.mark.django_db
def test_a_write_that_loses_to_a_stored_spelling_is_email_taken():
    services.user_create(email="race@example.com", password=None)
    # The check before the write is the form's; here the write itself meets the row.
    with pytest.raises(services.EmailTaken):
        services.user_create(email="Race@Example.com", password=None)
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_api_registrations_make_one_account():
    responses = run_together(*[lambda email=email: register(email) for email in SPELLINGS * 2])
    codes = sorted(response.status_code for response in responses)
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 400, 409}, codes
    for response in responses:
        if response.status_code == 409:
            assert response.json()["errors"] == [
                {"field": "email", "message": "A user with that e-mail address already exists."}
            ]
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_make_one_account():
    responses = run_together(*[lambda email=email: sign_up(email) for email in SPELLINGS])
    codes = sorted(response.status_code for response in responses)
    assert codes.count(302) == 1, codes
    assert set(codes) <= {302, 200, 409}, codes
    assert User.objects.count() == 1
