"""The grid's photo column and drawer: the same rules as the API, owner only."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from listings.tests.factories import ListingFactory
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.worker import photo_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(owner):
    return ListingFactory(owner=owner, title="Oak table")


def _upload(client, listing, *files):
    return client.post(
        f"/listings/{listing.pk}/photos/drawer/upload/", {"file": list(files)}, HTTP_HX_REQUEST="true"
    )


def test_drawer_upload_shows_the_photos_and_tells_the_row(owner_client, listing):
    response = _upload(owner_client, listing, pictures.upload(pictures.jpeg(), "front.jpg"))
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {f"photos-changed-{listing.pk}": True, "undo-changed": True}
    assert "1 of 20 photos" in response.text and "preparing" in response.text
    photo = ListingPhoto.objects.get()
    photo_process(photo_id=photo.pk)
    drawer = owner_client.get(f"/listings/{listing.pk}/photos/drawer/")
    assert f"/listings/{listing.pk}/photos/{photo.pk}/thumbnail/" in drawer.text
    assert "every 2s" not in drawer.text  # nothing left to wait for


def test_drawer_refuses_what_the_api_refuses_in_words(owner_client, listing):
    response = _upload(owner_client, listing, pictures.upload(b"<svg/>", "logo.jpg"))
    assert response.status_code == 422
    assert "logo.jpg: This is not a photo we can read" in response.text
    assert not ListingPhoto.objects.exists()


def test_drawer_reorder_and_delete(owner_client, listing):
    _upload(owner_client, listing, *(pictures.upload(pictures.jpeg(8, 8), f"{n}.jpg") for n in range(3)))
    ids = list(ListingPhoto.objects.order_by("position").values_list("pk", flat=True))
    response = owner_client.post(f"/listings/{listing.pk}/photos/drawer/order/", {"order": ids[::-1]})
    assert response.status_code == 200
    assert list(ListingPhoto.objects.order_by("position").values_list("pk", flat=True)) == ids[::-1]
    assert (
        owner_client.post(f"/listings/{listing.pk}/photos/drawer/order/", {"order": ids[:1]}).status_code
        == 422
    )
    response = owner_client.post(f"/listings/{listing.pk}/photos/drawer/{ids[0]}/delete/")
    assert response.status_code == 200 and "2 of 20 photos" in response.text


def test_another_users_drawer_is_404(client, other_user, owner_client, listing):
    _upload(owner_client, listing, pictures.upload(pictures.jpeg()))
    photo = ListingPhoto.objects.get()
    client.force_login(other_user)
    base = f"/listings/{listing.pk}/photos"
    assert client.get(f"{base}/drawer/").status_code == 404
    assert client.get(f"{base}/cell/").status_code == 404
    assert _upload(client, listing, pictures.upload(pictures.jpeg())).status_code == 404
    assert client.post(f"{base}/drawer/order/", {"order": [photo.pk]}).status_code == 404
    assert client.post(f"{base}/drawer/{photo.pk}/delete/").status_code == 404
    assert ListingPhoto.objects.filter(removed_batch__isnull=True).count() == 1


def test_the_grid_shows_the_first_thumbnail_and_the_count(
    owner_client, owner, listing, django_assert_max_num_queries
):
    for _ in range(2):
        _upload(owner_client, listing, pictures.upload(pictures.jpeg(8, 8)))
    first = ListingPhoto.objects.order_by("position").first()
    for photo in ListingPhoto.objects.all():
        photo_process(photo_id=photo.pk)
    others = [ListingFactory(owner=owner) for _ in range(20)]
    response = owner_client.get("/listings/")
    assert f'src="/listings/{listing.pk}/photos/{first.pk}/thumbnail/"' in response.text
    assert 'class="photo-count">2<' in response.text
    assert f'id="photos-{others[0].pk}"' in response.text
    # The column costs two queries for the whole page, not two per row.
    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/listings/")
    assert sum("photos_listingphoto" in query["sql"] for query in queries.captured_queries) == 2
