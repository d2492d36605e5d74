"""Headers on pages and API answers (issue 12, finding 10)."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_api_answers_are_private_and_not_stored(owner):
    ListingFactory(owner=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(owner)}")
    response = api.get("/api/listings/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    # Errors too: a 404 names nothing, but no proxy should keep it either.
    assert api.get("/api/listings/999999/")["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "path", ["/listings/", "/listings/import/", "/ocr/", "/history/", "/listings/templates/"]
)
def test_pages_with_a_sellers_data_are_private_and_not_stored(client, owner, path):
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
