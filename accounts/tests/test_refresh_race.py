"""A refresh token is single use even when it is sent many times at once."""

import pytest
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts import services
from marketplace.tests.threads import run_together

PARALLEL = 10


def refresh(token: str):
    return Client().post("/api/auth/refresh/", {"refresh": token}, content_type="application/json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_parallel_refreshes_with_one_token_succeed_exactly_once(owner):
    token = services.token_pair_create(user=owner)["refresh"]
    responses = run_together(*[lambda: refresh(token)] * PARALLEL)
    codes = [response.status_code for response in responses]
    assert sorted(codes) == [200] + [401] * (PARALLEL - 1), codes
    winner = next(response for response in responses if response.status_code == 200).json()
    # The one new token works (once), and the used one is blacklisted exactly once.
    assert refresh(winner["refresh"]).status_code == 200
    assert BlacklistedToken.objects.filter(token__user=owner).count() == 2
    loser = next(response for response in responses if response.status_code == 401).json()
    assert loser["detail"] == "Token is blacklisted"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_parallel_refreshes_of_different_tokens_all_succeed(owner):
    tokens = [services.token_pair_create(user=owner)["refresh"] for _ in range(4)]
    responses = run_together(*[lambda token=token: refresh(token) for token in tokens])
    assert [response.status_code for response in responses] == [200] * 4
