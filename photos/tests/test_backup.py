"""Photos in the account backup: they come back on the restored listings, in order,
with the same bytes; a zip naming a file it lacks is refused."""

import io
import json
import zipfile

import pytest

from exports.backup import account_backup_create, account_restore
from listings.tests.factories import ListingFactory
from marketplace.errors import InvalidInput
from photos import services
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.worker import photo_process

pytestmark = pytest.mark.django_db


def shown_bytes(listing) -> list[tuple[str, bytes]]:
    photos = services.shown_photos(listing.pk).order_by("position")
    return [(photo.original_name, photo.file.open("rb").read()) for photo in photos]


def test_photos_come_back_on_the_restored_listings_in_order(owner, other_user):
    table, lamp = ListingFactory(owner=owner, title="Oak table"), ListingFactory(owner=owner, title="Lamp")
    uploads = [pictures.upload(pictures.jpeg(16 + n, 12), f"table-{n}.jpg") for n in range(3)]
    for photo in services.photos_add(listing=table, uploads=uploads, actor=owner):
        photo_process(photo_id=photo.pk)
    services.photos_add(
        listing=lamp, uploads=[pictures.upload(pictures.png(), "lamp.png", "image/png")], actor=owner
    )
    backup = account_backup_create(user=owner)
    assert backup.counts["photos"] == 4

    counts = account_restore(user=other_user, file=backup.file)
    assert counts["photos"] == 4
    for original in (table, lamp):
        restored = other_user.listings.get(title=original.title)
        assert shown_bytes(restored) == shown_bytes(original)
    assert ListingPhoto.objects.filter(owner=other_user).count() == 4


def test_a_backup_naming_a_missing_photo_file_is_refused(owner, other_user):
    ListingFactory(owner=owner)
    backup = account_backup_create(user=owner)
    with zipfile.ZipFile(backup.file) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    [listing] = json.loads(files["listings.json"])
    files["photos/photos.json"] = json.dumps(
        [{"listing": listing["id"], "position": 0, "name": "x.jpg", "file": "photos/missing.jpg"}]
    ).encode()
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    broken.seek(0)
    with pytest.raises(InvalidInput) as refused:
        account_restore(user=other_user, file=broken)
    assert "which is not in the zip" in refused.value.errors[0].message
    assert not other_user.listings.exists()
