import factory

from photos import services
from photos.models import ListingPhoto


class PhotoFactory(factory.django.DjangoModelFactory):
    """A ready photo's row of the listing (no file: for reads that look only at the rows)."""

    class Meta:
        model = ListingPhoto

    listing = factory.SubFactory("listings.tests.factories.ListingFactory")
    owner = factory.SelfAttribute("listing.owner")
    position = factory.Sequence(lambda n: n)
    file = factory.LazyAttribute(lambda photo: f"photos/{photo.owner.pk}/test-{photo.position}.jpg")
    original_name = "test.jpg"
    content_type = "image/jpeg"
    size = 1
    status = ListingPhoto.Status.READY


def photographed(*listings) -> None:
    """Each listing gets one ready photo (no file: for checks that look only at the
    rows) and its owner published links, so marketplaces needing a photo take it."""
    for listing in listings:
        PhotoFactory(listing=listing, position=1)
        services.photo_links_publish(owner=listing.owner)
