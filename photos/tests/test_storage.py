"""Photos on an S3-compatible store: a real S3-protocol server (moto in server
mode, the ``s3_server`` fixture), not a mock of the storage class."""

import io

import pytest
from PIL import ExifTags, Image

from listings.tests.factories import ListingFactory
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.worker import photo_process

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_upload_draw_and_serve_on_s3(
    s3_server, api, owner, other_user, owner_client, client, django_capture_on_commit_callbacks
):
    listing = ListingFactory(owner=owner)
    response = api.post(
        f"/api/listings/{listing.pk}/photos/",
        {"file": [pictures.upload(pictures.jpeg(64, 48, orientation=6, gps=True))]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    [photo] = response.json()
    bucket = s3_server.client()
    stored = ListingPhoto.objects.get(pk=photo["id"])
    assert bucket.head_object(Bucket=s3_server.bucket, Key=stored.file.name)["ContentLength"] > 0

    with django_capture_on_commit_callbacks(execute=True):
        assert photo_process(photo_id=photo["id"]) == "ready"
    stored.refresh_from_db()
    keys = {item["Key"] for item in bucket.list_objects_v2(Bucket=s3_server.bucket)["Contents"]}
    # The upload (with its location) is gone; the safe original and both sizes are there.
    assert keys == {stored.file.name, stored.display.name, stored.thumbnail.name}
    body = bucket.get_object(Bucket=s3_server.bucket, Key=stored.file.name)["Body"].read()
    assert ExifTags.IFD.GPSInfo not in Image.open(io.BytesIO(body)).getexif()

    [ready] = api.get(f"/api/listings/{listing.pk}/photos/").json()
    served = owner_client.get(ready["thumbnail"])
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (48, 64)
    client.force_login(other_user)
    assert client.get(ready["thumbnail"]).status_code == 404
