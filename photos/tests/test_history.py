"""Photo steps in the history's words, their undo offer and refusal, and the purge
command for cron."""

import pytest
from django.core.management import call_command

from listings.models import UndoStep
from listings.services.undo import operation_undo_refusal
from listings.tests.factories import ListingFactory
from photos import services
from photos.models import ListingPhoto
from photos.tests import pictures

pytestmark = pytest.mark.django_db


def test_photo_steps_read_in_words_on_the_history_page(owner, owner_client):
    listing = ListingFactory(owner=owner, title="Oak table")
    [photo] = services.photos_add(
        listing=listing, uploads=[pictures.upload(pictures.jpeg(), "front.jpg")], actor=owner
    )
    services.photo_delete(photo=photo, actor=owner)
    page = owner_client.get("/history/").text
    assert "added 1 photo" in page and "deleted 1 photo" in page
    assert "photo.upload" not in page


def test_the_history_page_says_why_an_upload_cannot_be_undone_yet(owner):
    listing = ListingFactory(owner=owner)
    photos = services.photos_add(
        listing=listing, uploads=[pictures.upload(pictures.jpeg(8, 8)) for _ in range(2)], actor=owner
    )
    upload = UndoStep.objects.get(action="photo.upload")
    assert operation_undo_refusal(user=owner, batch=upload.batch) is None
    services.photos_reorder(listing=listing, order=[photos[1].pk, photos[0].pk], actor=owner)
    assert "Undo that change first" in operation_undo_refusal(user=owner, batch=upload.batch)


def test_the_purge_command_removes_what_no_undo_can_bring_back(owner, capsys):
    listing = ListingFactory(owner=owner)
    [photo] = services.photos_add(
        listing=listing, uploads=[pictures.upload(pictures.jpeg(8, 8))], actor=owner
    )
    services.photo_delete(photo=photo, actor=owner)
    call_command("photos_purge")
    assert ListingPhoto.objects.filter(pk=photo.pk).exists()
    UndoStep.objects.filter(user=owner).delete()
    call_command("photos_purge")
    assert not ListingPhoto.objects.filter(pk=photo.pk).exists()
    assert "1 photos purged." in capsys.readouterr().out
