"""The photo API: upload (limits and hostile images), list, serve (owner only),
reorder, delete and undo, on the real database, storage and worker."""

import io

import pytest
from django.core.management import call_command
from PIL import ExifTags, Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from listings.models import UndoStep
from listings.tests.factories import ListingFactory
from photos.models import MAX_PHOTOS_PER_LISTING, ListingPhoto
from photos.tests import pictures
from photos.worker import photo_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(owner):
    return ListingFactory(owner=owner, title="Oak table")


def _post(api, listing, *files):
    return api.post(f"/api/listings/{listing.pk}/photos/", {"file": list(files)}, format="multipart")


def _processed(response) -> list[int]:
    ids = [photo["id"] for photo in response.json()]
    for pk in ids:
        photo_process(photo_id=pk)
    return ids


@pytest.mark.django_db(transaction=True)
def test_upload_is_stored_then_drawn_by_the_worker(api, listing, owner_client):
    response = _post(api, listing, pictures.upload(pictures.jpeg(), "front.jpg"))
    assert response.status_code == 201, response.json()
    [photo] = response.json()
    assert photo["status"] == "processing"
    assert photo["thumbnail"] is None and photo["original_name"] == "front.jpg"
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    [ready] = api.get(f"/api/listings/{listing.pk}/photos/").json()
    assert ready["status"] == "ready"
    assert ready["content_type"] == "image/jpeg"
    thumbnail = owner_client.get(ready["thumbnail"])
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert thumbnail["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (64, 48)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (pictures.png(), "a.png", "image/png"),
        (pictures.webp(), "a.webp", "image/webp"),
        (pictures.heic(), "a.heic", "image/jpeg"),
        # Named as something else: the content decides.
        (pictures.png(), "scan.pdf", "image/png"),
    ],
)
def test_each_format_is_taken_by_its_content(api, listing, owner_client, data, name, content_type):
    response = _post(api, listing, pictures.upload(data, name, "application/octet-stream"))
    assert response.status_code == 201, response.json()
    _processed(response)
    [photo] = api.get(f"/api/listings/{listing.pk}/photos/").json()
    assert (photo["status"], photo["content_type"]) == ("ready", content_type)
    original = owner_client.get(photo["original"])
    assert original["Content-Type"] == content_type
    Image.open(io.BytesIO(b"".join(original.streaming_content))).load()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not a photo we can read"),
        (b"GIF89a" + bytes(100), "not a photo we can read"),
        (pictures.encoded(pictures.picture(), "GIF"), "not a photo we can read"),
        (pictures.encoded(pictures.picture(), "BMP"), "not a photo we can read"),
        (pictures.jpeg(800, 600)[:2000], "damaged or incomplete"),
        (pictures.png_claiming(100_000, 100_000), "too large to read safely"),
        (pictures.png_claiming(9000, 9000), "9000 × 9000 pixels"),
        (b"", "empty"),
    ],
)
def test_hostile_files_are_refused_naming_the_file(api, listing, data, message):
    response = _post(api, listing, pictures.upload(data, "evil.jpg"))
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] in ("file", "file.0")
    assert message in body["errors"][0]["message"]
    assert "evil.jpg" in body["errors"][0]["message"] or not data
    assert not ListingPhoto.objects.exists()


def test_byte_limit_is_a_setting(api, listing, settings):
    settings.PHOTO_MAX_BYTES = 1000
    response = _post(api, listing, pictures.upload(pictures.jpeg(400, 400)))
    assert response.status_code == 400
    assert "the most is 0 MB" in response.json()["errors"][0]["message"]


def test_pixel_limit_is_a_setting(api, listing, settings):
    settings.PHOTO_MAX_PIXELS = 1000
    response = _post(api, listing, pictures.upload(pictures.jpeg(64, 48)))
    assert response.status_code == 400
    assert "64 × 48 pixels" in response.json()["errors"][0]["message"]


def test_one_bad_file_refuses_the_whole_upload(api, listing):
    response = _post(
        api, listing, pictures.upload(pictures.jpeg(), "good.jpg"), pictures.upload(b"nope", "bad.jpg")
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert not ListingPhoto.objects.exists()


def test_at_most_twenty_photos_per_listing(api, listing):
    first = [pictures.upload(pictures.jpeg(8, 8), f"{n}.jpg") for n in range(MAX_PHOTOS_PER_LISTING - 1)]
    assert _post(api, listing, *first).status_code == 201
    response = _post(api, listing, *(pictures.upload(pictures.jpeg(8, 8), f"x{n}.jpg") for n in range(2)))
    assert response.status_code == 400
    assert "1 more can be added, not 2" in response.json()["errors"][0]["message"]
    assert _post(api, listing, pictures.upload(pictures.jpeg(8, 8))).status_code == 201
    assert ListingPhoto.objects.filter(listing=listing).count() == MAX_PHOTOS_PER_LISTING


def test_exif_orientation_is_applied_and_location_removed(api, listing, owner_client):
    response = _post(api, listing, pictures.upload(pictures.jpeg(64, 48, orientation=6, gps=True)))
    _processed(response)
    [photo] = api.get(f"/api/listings/{listing.pk}/photos/").json()
    assert (photo["width"], photo["height"]) == (48, 64)
    stored = Image.open(io.BytesIO(b"".join(owner_client.get(photo["original"]).streaming_content)))
    exif = stored.getexif()
    assert stored.size == (48, 64)
    assert ExifTags.IFD.GPSInfo not in exif
    assert ExifTags.Base.Orientation not in exif
    assert exif[ExifTags.Base.Make] == "TestCam"
    # The dark column was on the left; turned 90° clockwise it is now the top row.
    assert stored.convert("L").getpixel((24, 0)) < 60
    # Nothing of the upload (with its location) is left in storage.
    uploaded = ListingPhoto.objects.get()
    assert "-upload." not in uploaded.file.name


def test_another_users_photos_are_404_files_included(api, owner, other_user, listing, client):
    [pk] = _processed(_post(api, listing, pictures.upload(pictures.jpeg())))
    urls = [f"/listings/{listing.pk}/photos/{pk}/{kind}/" for kind in ("original", "display", "thumbnail")]
    stranger = APIClient()
    stranger.force_authenticate(other_user)
    assert stranger.get(f"/api/listings/{listing.pk}/photos/").status_code == 404
    assert _post(stranger, listing, pictures.upload(pictures.jpeg())).status_code == 404
    assert stranger.delete(f"/api/listings/{listing.pk}/photos/{pk}/").status_code == 404
    assert (
        stranger.patch(f"/api/listings/{listing.pk}/photos/", {"order": [pk]}, format="json").status_code
        == 404
    )
    # Their own listing's id with this photo's id: still not found.
    theirs = ListingFactory(owner=other_user)
    client.force_login(other_user)
    assert client.get(f"/listings/{theirs.pk}/photos/{pk}/original/").status_code == 404
    for url in urls:
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to log in
    assert client.get(urls[0], HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    token = RefreshToken.for_user(owner).access_token
    response = client.get(urls[0], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_photo_being_prepared_is_not_served(api, listing, owner_client):
    [photo] = _post(api, listing, pictures.upload(pictures.jpeg(gps=True))).json()
    assert owner_client.get(f"/listings/{listing.pk}/photos/{photo['id']}/original/").status_code == 404


def test_reorder_and_undo(api, listing):
    ids = _processed(
        _post(api, listing, *(pictures.upload(pictures.jpeg(8, 8), f"{n}.jpg") for n in range(3)))
    )
    response = api.patch(f"/api/listings/{listing.pk}/photos/", {"order": ids[::-1]}, format="json")
    assert response.status_code == 200
    assert [photo["id"] for photo in response.json()] == ids[::-1]
    undo = api.post("/api/listings/undo/").json()
    assert undo["action"] == "photo.reorder"
    assert [p["id"] for p in api.get(f"/api/listings/{listing.pk}/photos/").json()] == ids
    assert api.post("/api/listings/redo/").status_code == 200
    assert [p["id"] for p in api.get(f"/api/listings/{listing.pk}/photos/").json()] == ids[::-1]


@pytest.mark.parametrize("order", ["none", "missing", "duplicate", "foreign"])
def test_reorder_needs_every_photo_once(api, owner, listing, order):
    ids = _processed(_post(api, listing, *(pictures.upload(pictures.jpeg(8, 8)) for _ in range(2))))
    other = ListingFactory(owner=owner)
    [foreign] = _processed(_post(api, other, pictures.upload(pictures.jpeg(8, 8))))
    body = {"none": [], "missing": ids[:1], "duplicate": [ids[0], ids[0]], "foreign": [ids[0], foreign]}[
        order
    ]
    response = api.patch(f"/api/listings/{listing.pk}/photos/", {"order": body}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "order"


def test_delete_and_undo_and_redo(api, listing, owner_client):
    first, second = _processed(_post(api, listing, *(pictures.upload(pictures.jpeg(8, 8)) for _ in range(2))))
    assert api.delete(f"/api/listings/{listing.pk}/photos/{first}/").status_code == 204
    assert [p["id"] for p in api.get(f"/api/listings/{listing.pk}/photos/").json()] == [second]
    assert owner_client.get(f"/listings/{listing.pk}/photos/{first}/thumbnail/").status_code == 404
    assert api.delete(f"/api/listings/{listing.pk}/photos/{first}/").status_code == 404
    assert api.post("/api/listings/undo/").json()["action"] == "photo.delete"
    assert [p["id"] for p in api.get(f"/api/listings/{listing.pk}/photos/").json()] == [first, second]
    assert owner_client.get(f"/listings/{listing.pk}/photos/{first}/thumbnail/").status_code == 200
    api.post("/api/listings/redo/")
    assert [p["id"] for p in api.get(f"/api/listings/{listing.pk}/photos/").json()] == [second]


def test_an_upload_is_one_undo_step(api, listing):
    _processed(_post(api, listing, *(pictures.upload(pictures.jpeg(8, 8)) for _ in range(3))))
    assert api.post("/api/listings/undo/").json()["action"] == "photo.upload"
    assert api.get(f"/api/listings/{listing.pk}/photos/").json() == []
    api.post("/api/listings/redo/")
    assert len(api.get(f"/api/listings/{listing.pk}/photos/").json()) == 3


def test_undo_of_an_upload_waits_for_a_later_change_to_its_photos(api, listing):
    ids = _processed(_post(api, listing, *(pictures.upload(pictures.jpeg(8, 8)) for _ in range(2))))
    api.patch(f"/api/listings/{listing.pk}/photos/", {"order": ids[::-1]}, format="json")
    step = UndoStep.objects.get(action="photo.upload")
    response = api.post(f"/api/operations/{step.batch}/undo/")
    assert response.status_code == 409, response.json()
    assert "Undo that change first" in response.json()["detail"]
    assert len(api.get(f"/api/listings/{listing.pk}/photos/").json()) == 2
