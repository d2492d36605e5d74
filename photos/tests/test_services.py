"""Photos follow their listings: duplicate, delete and its undo, the purge once the
undo window has passed, and the audit and undo steps of photo writes."""

import pytest
from django.core.files.storage import default_storage

from audit.models import AuditEntry
from listings.models import Listing, UndoStep
from listings.services.bulk import listing_duplicate
from listings.services.changes import UNDO_DEPTH, changes_apply, listing_delete, listing_update
from listings.services.undo import undo_last
from listings.tests.factories import ListingFactory
from photos import services
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.worker import photo_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(owner):
    return ListingFactory(owner=owner, title="Oak table")


def _add(listing, owner, count=2) -> list[ListingPhoto]:
    photos = services.photos_add(
        listing=listing,
        uploads=[pictures.upload(pictures.jpeg(16, 12), f"{n}.jpg") for n in range(count)],
        actor=owner,
    )
    for photo in photos:
        photo_process(photo_id=photo.pk)
    return list(ListingPhoto.objects.filter(pk__in=[p.pk for p in photos]).order_by("position"))


def _shown(listing_id: int) -> list[int]:
    return list(services.shown_photos(listing_id).order_by("position", "id").values_list("pk", flat=True))


def test_an_upload_is_audited_in_one_batch_and_one_step(listing, owner):
    photos = _add(listing, owner, 3)
    entries = AuditEntry.objects.filter(action="photo.upload")
    assert sorted(int(e.object_id) for e in entries) == [p.pk for p in photos]
    assert len({e.batch for e in entries}) == 1
    assert UndoStep.objects.filter(user=owner, action="photo.upload", batch=entries[0].batch).exists()
    assert [p.position for p in photos] == [0, 1, 2]


def test_a_duplicate_gets_copies_of_the_photos(listing, owner):
    photos = _add(listing, owner)
    copy = listing_duplicate(listing=listing, actor=owner)
    copies = list(services.shown_photos(copy.pk).order_by("position"))
    assert [c.original_name for c in copies] == [p.original_name for p in photos]
    assert [c.thumbnail.name for c in copies] == [p.thumbnail.name for p in photos]
    assert {c.pk for c in copies}.isdisjoint(p.pk for p in photos)
    # Undoing the duplicate removes the copy, and with it its photos; the source keeps its own.
    undo_last(user=owner)
    assert not Listing.objects.filter(pk=copy.pk).exists()
    assert _shown(listing.pk) == [p.pk for p in photos]


def test_a_duplicate_of_a_photo_being_prepared_gets_the_drawn_files_too(listing, owner):
    [photo] = services.photos_add(listing=listing, uploads=[pictures.upload(pictures.jpeg())], actor=owner)
    copy = listing_duplicate(listing=listing, actor=owner)
    photo_process(photo_id=photo.pk)
    [copied] = services.shown_photos(copy.pk)
    photo.refresh_from_db()
    assert copied.status == ListingPhoto.Status.READY
    assert copied.file.name == photo.file.name and "-original." in photo.file.name
    assert default_storage.exists(copied.thumbnail.name)


def test_deleting_a_listing_keeps_its_photos_for_undo(listing, owner):
    photos = _add(listing, owner)
    listing_delete(listing=listing, actor=owner)
    assert ListingPhoto.objects.filter(pk__in=[p.pk for p in photos]).count() == 2
    services.photos_purge(owner_id=owner.pk)
    assert ListingPhoto.objects.filter(pk__in=[p.pk for p in photos]).count() == 2
    undo_last(user=owner)
    assert _shown(listing.pk) == [p.pk for p in photos]


def test_photos_of_a_deleted_listing_go_once_the_undo_window_passes(
    listing, owner, django_capture_on_commit_callbacks
):
    photos = _add(listing, owner)
    names = [p.file.name for p in photos] + [p.thumbnail.name for p in photos]
    listing_delete(listing=listing, actor=owner)
    other = ListingFactory(owner=owner)
    # Every older step is forgotten once UNDO_DEPTH newer ones are recorded.
    for number in range(UNDO_DEPTH):
        listing_update(listing=other, data={"title": f"Chair {number}"}, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.photos_purge(owner_id=owner.pk) == 2
    assert not ListingPhoto.objects.filter(pk__in=[p.pk for p in photos]).exists()
    assert AuditEntry.objects.filter(action="photo.purge").count() == 2
    assert not any(default_storage.exists(name) for name in names)


def test_a_deleted_photo_goes_for_good_once_its_step_is_forgotten(
    listing, owner, django_capture_on_commit_callbacks
):
    first, second = _add(listing, owner)
    services.photo_delete(photo=first, actor=owner)
    services.photos_purge(owner_id=owner.pk)
    assert ListingPhoto.objects.filter(pk=first.pk).exists()
    UndoStep.objects.filter(user=owner).delete()  # the window passed
    with django_capture_on_commit_callbacks(execute=True):
        assert services.photos_purge(owner_id=owner.pk) == 1
    assert not ListingPhoto.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(first.file.name)
    assert not default_storage.exists(first.thumbnail.name)
    assert default_storage.exists(second.file.name)


def test_files_a_copy_still_uses_are_kept(listing, owner, django_capture_on_commit_callbacks):
    [photo] = _add(listing, owner, 1)
    copy = listing_duplicate(listing=listing, actor=owner)
    services.photo_delete(photo=photo, actor=owner)
    UndoStep.objects.filter(user=owner).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.photos_purge(owner_id=owner.pk) == 1
    [copied] = services.shown_photos(copy.pk)
    assert default_storage.exists(copied.file.name)


def test_undo_of_a_bulk_delete_brings_back_every_listings_photos(owner):
    listings = [ListingFactory(owner=owner) for _ in range(3)]
    photos = {listing.pk: [p.pk for p in _add(listing, owner, 1)] for listing in listings}
    changes_apply(actor=owner, action="listing.bulk_delete", delete=[listing.pk for listing in listings])
    assert all(_shown(pk) == [] or not Listing.objects.filter(pk=pk).exists() for pk in photos)
    undo_last(user=owner)
    assert {pk: _shown(pk) for pk in photos} == photos


def test_photo_attach_is_one_step_for_many_listings(owner):
    listings = [ListingFactory(owner=owner) for _ in range(3)]
    services.photos_attach(
        uploads=[services.PhotoUpload(listing, pictures.upload(pictures.jpeg(8, 8))) for listing in listings],
        actor=owner,
    )
    assert UndoStep.objects.filter(user=owner, action="photo.attach").count() == 1
    outcome = undo_last(user=owner)
    assert (outcome.action, outcome.listings) == ("photo.attach", 3)
    assert all(_shown(listing.pk) == [] for listing in listings)
