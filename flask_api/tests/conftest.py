import json
from dataclasses import dataclass, field

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class FlaskClient:
    """Calls the API as a client of the Flask system did: its paths, JSON bodies and
    a Bearer token, through the real URLconf and middleware."""

    client: Client = field(default_factory=Client)
    token: str | None = None

    def call(self, method: str, path: str, body=None, *, content_type="application/json", **headers):
        if self.token:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        # A str is sent as written (the documentation's curl bodies); objects as JSON.
        data = (
            json.dumps(body)
            if content_type == "application/json" and not isinstance(body, str | None)
            else body
        )
        kwargs = {"content_type": content_type} if data is not None else {}
        return getattr(self.client, method.lower())(path, data, **kwargs, **headers)

    def login(self, email: str, password: str) -> dict:
        response = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.content
        self.token = response.json()["access_token"]
        return response.json()


def tokens_for(user) -> dict[str, str]:
    """The pair ``POST /api/auth/login`` hands out, without paying for a password hash
    in every test (the log-in itself is tested on its own)."""
    from accounts.services import token_pair_create

    pair = token_pair_create(user=user)
    return {"access_token": pair["access"], "refresh_token": pair["refresh"]}


def client_for(user) -> FlaskClient:
    return FlaskClient(token=tokens_for(user)["access_token"])


@pytest.fixture
def flask(owner) -> FlaskClient:
    return client_for(owner)


@pytest.fixture
def flask_staff(staff) -> FlaskClient:
    return client_for(staff)
