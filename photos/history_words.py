"""What the photos' audit entries mean in words, for the history pages (see
``audit.words``): registered by ``PhotosConfig.ready``."""

from collections.abc import Sequence

from django.urls import reverse

from audit.models import AuditEntry
from audit.words import Link, ObjectType, OperationFacts, noun, register_action, register_object_type
from photos.models import ListingPhoto

PHOTO_TYPE = ListingPhoto._meta.label_lower
PHOTO_LABELS = {
    "file": "File",
    "shown": "Shown",
    "position": "Position",
    "status": "Status",
    "error": "Error",
}


def photo_titles(user, entries: Sequence[AuditEntry]) -> dict[str, Link]:
    """“photo.jpg of Oak table”, linked to the listing's history while it exists."""
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    rows = ListingPhoto.objects.filter(owner=user, pk__in=ids).values_list(
        "pk", "original_name", "listing_id", "listing__title"
    )
    links = {}
    for pk, name, listing_id, title in rows:
        url = reverse("listings:history", args=[listing_id]) if title else None
        links[str(pk)] = Link(f"{name} of {title or f'listing {listing_id}'}", url)
    return links


def _photos(facts: OperationFacts) -> str:
    return noun(PHOTO_TYPE, facts.count)


def register() -> None:
    register_object_type(PHOTO_TYPE, ObjectType("photo", "photos", fields=PHOTO_LABELS, titles=photo_titles))
    for action, label, headline in (
        ("photo.upload", "Photos added", lambda facts: f"added {_photos(facts)}"),
        ("photo.attach", "Photos added", lambda facts: f"attached {_photos(facts)} to listings by name"),
        ("photo.copy", "Photos added", lambda facts: f"copied {_photos(facts)} to duplicated listings"),
        ("photo.delete", "Photos deleted", lambda facts: f"deleted {_photos(facts)}"),
        ("photo.reorder", "Photos reordered", lambda facts: f"reordered {_photos(facts)}"),
        ("photo.undo", "Undo", lambda facts: f"undid a change to {_photos(facts)}"),
        ("photo.redo", "Redo", lambda facts: f"redid a change to {_photos(facts)}"),
        ("photo.process", "Photos processed", lambda facts: f"prepared {_photos(facts)}"),
        ("photo.bulk_upload", "Photos added", "uploaded photos to match to listings"),
        ("photo.bulk_discard", "Photos deleted", "discarded a bulk photo upload"),
        ("photo.purge", "Photos removed for good", lambda facts: f"removed {_photos(facts)} for good"),
    ):
        register_action(action, label, headline)
