"""Bulk photos: a zip (or many files) matched to listings by name, previewed, then
attached as one undo step; the zip's limits hold."""

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from listings.models import UndoStep
from listings.services.undo import undo_last
from listings.tests.factories import ListingFactory
from photos import services
from photos.models import ListingPhoto, PhotoBulk, PhotoBulkFile
from photos.tests import pictures

pytestmark = pytest.mark.django_db


def zipped(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_upload(files: dict[str, bytes], name="photos.zip"):
    return pictures.upload(zipped(files), name, "application/zip")


def _matches(upload: PhotoBulk) -> dict[str, tuple]:
    return {row.name: (row.match, row.listing_id, row.number) for row in upload.files.all()}


def test_names_match_listings_by_id_with_their_photo_number(owner, other_user):
    first, second = ListingFactory(owner=owner), ListingFactory(owner=owner)
    theirs = ListingFactory(owner=other_user)
    photo = pictures.jpeg(16, 16)
    upload = services.photo_bulk_create(
        owner=owner,
        uploads=[
            _zip_upload(
                {
                    f"{first.pk}.jpg": photo,
                    f"shop/{first.pk}-2.jpg": photo,
                    f"{second.pk}_3.png": pictures.png(),
                    f"{theirs.pk}.jpg": photo,
                    "unknown.jpg": photo,
                    f"{second.pk}-4.jpg": b"not a picture",
                    "__MACOSX/._x.jpg": b"junk",
                }
            )
        ],
    )
    assert _matches(upload) == {
        f"{first.pk}.jpg": ("matched", first.pk, 1),
        f"{first.pk}-2.jpg": ("matched", first.pk, 2),
        f"{second.pk}_3.png": ("matched", second.pk, 3),
        # Another seller's listing is no listing of yours.
        f"{theirs.pk}.jpg": ("unmatched", None, 1),
        "unknown.jpg": ("unmatched", None, 1),
        f"{second.pk}-4.jpg": ("unmatched", None, 4),
    }
    bad = upload.files.get(name=f"{second.pk}-4.jpg")
    assert "not a photo we can read" in bad.reason and not bad.file


def test_attach_is_one_undo_step_in_name_order(owner):
    listing = ListingFactory(owner=owner)
    photo = pictures.jpeg(16, 16)
    upload = services.photo_bulk_create(
        owner=owner,
        uploads=[
            pictures.upload(photo, f"{listing.pk}-3.jpg"),
            pictures.upload(photo, f"{listing.pk}.jpg"),
            pictures.upload(photo, f"{listing.pk}_2.jpg"),
        ],
    )
    photos = services.photo_bulk_attach(upload=upload, actor=owner)
    shown = list(
        services.shown_photos(listing.pk).order_by("position").values_list("original_name", flat=True)
    )
    assert shown == [f"{listing.pk}.jpg", f"{listing.pk}_2.jpg", f"{listing.pk}-3.jpg"]
    assert len(photos) == 3 and not PhotoBulk.objects.exists()
    assert UndoStep.objects.filter(user=owner, action="photo.attach").count() == 1
    undo_last(user=owner)
    assert not services.shown_photos(listing.pk).exists()


def test_an_ambiguous_file_goes_where_the_seller_chooses(owner):
    first, second = ListingFactory(owner=owner), ListingFactory(owner=owner)
    upload = services.photo_bulk_create(owner=owner, uploads=[pictures.upload(pictures.jpeg(8, 8), "x.jpg")])
    # Which listings a name fits is the matcher's; here a file fits two.
    PhotoBulkFile.objects.filter(bulk=upload).update(
        match="ambiguous",
        candidates=[{"listing": first.pk, "number": 1}, {"listing": second.pk, "number": 2}],
    )
    row = upload.files.get()
    with pytest.raises(services.InvalidInput):
        services.photo_bulk_attach(upload=upload, actor=owner, choices={row.pk: 999})
    services.photo_bulk_attach(upload=upload, actor=owner, choices={row.pk: second.pk})
    assert services.shown_photos(second.pk).count() == 1 and not services.shown_photos(first.pk).exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"bomb.jpg": b"\0" * 5_000_000}, "possible zip bomb"),
        ({f"{n}.jpg": b"x" for n in range(6)}, "More than 5 files"),
    ],
)
def test_zip_limits(owner, settings, files, message):
    settings.PHOTO_BULK_MAX_FILES = 5
    with pytest.raises(services.InvalidInput) as refused:
        services.photo_bulk_create(owner=owner, uploads=[_zip_upload(files)])
    assert message in refused.value.errors[0].message
    assert not PhotoBulk.objects.exists()


def test_unpacked_size_is_counted_not_trusted(owner, settings):
    settings.PHOTO_BULK_MAX_UNZIPPED_BYTES = 50_000
    settings.PHOTO_BULK_MAX_ZIP_RATIO = 10_000
    photo = pictures.jpeg(300, 300)
    with pytest.raises(services.InvalidInput) as refused:
        services.photo_bulk_create(owner=owner, uploads=[_zip_upload({f"{n}.jpg": photo for n in range(20)})])
    assert "unpacks to" in refused.value.errors[0].message


def test_paths_that_leave_the_archive_are_not_used(owner):
    listing = ListingFactory(owner=owner)
    upload = services.photo_bulk_create(
        owner=owner,
        uploads=[
            _zip_upload({f"../../{listing.pk}.jpg": pictures.jpeg(8, 8), f"/etc/{listing.pk}.jpg": b"x"})
        ],
    )
    rows = list(upload.files.all())
    assert {row.match for row in rows} == {"unmatched"}
    assert all("leaves the archive" in row.reason for row in rows)


def test_api_flow_and_owner_only(api, owner, other_user, owner_client):
    listing = ListingFactory(owner=owner)
    response = api.post(
        "/api/photos/bulk/",
        {"files": [_zip_upload({f"{listing.pk}.jpg": pictures.jpeg(8, 8)})]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    [row] = body["files"]
    assert (row["match"], row["listing"]) == ("matched", listing.pk)
    assert owner_client.get(row["preview"]).status_code == 200
    stranger = APIClient()
    stranger.force_authenticate(other_user)
    assert stranger.get(f"/api/photos/bulk/{body['id']}/").status_code == 404
    assert stranger.post(f"/api/photos/bulk/{body['id']}/attach/", {}, format="json").status_code == 404
    other_client = APIClient()
    other_client.force_login(other_user)
    assert other_client.get(row["preview"]).status_code == 404
    attached = api.post(f"/api/photos/bulk/{body['id']}/attach/", {}, format="json")
    assert attached.status_code == 201 and len(attached.json()) == 1
    assert ListingPhoto.objects.filter(listing=listing).count() == 1


def test_bulk_pages(owner_client, owner):
    listing = ListingFactory(owner=owner, title="Oak table")
    response = owner_client.post(
        "/listings/photos/bulk/", {"files": [_zip_upload({f"{listing.pk}.jpg": pictures.jpeg()})]}
    )
    assert response.status_code == 302
    preview = owner_client.get(response["Location"])
    assert "Matched (1)" in preview.text and "Oak table" in preview.text
    upload = PhotoBulk.objects.get()
    done = owner_client.post(f"/listings/photos/bulk/{upload.pk}/attach/")
    assert done.status_code == 302
    assert services.shown_photos(listing.pk).count() == 1
    refused = owner_client.post(
        "/listings/photos/bulk/", {"files": [pictures.upload(b"PK\x03\x04broken", "a.zip")]}
    )
    assert refused.status_code == 400 and "damaged zip" in refused.text
