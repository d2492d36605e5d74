"""A listing's photos: the picture as uploaded (made safe), and the sizes the
worker draws from it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from listings.models import Listing

# Facebook takes up to 20 photos per listing, and so do we.
MAX_PHOTOS_PER_LISTING = 20


def _stored_name(photo: "ListingPhoto", kind: str, extension: str) -> str:
    # Names of ours only: the uploaded name is kept as a field, never as a path.
    return f"photos/{photo.owner_id}/{uuid.uuid4().hex}-{kind}.{extension}"


def upload_to(photo: "ListingPhoto", filename: str) -> str:
    """``photos/<owner>/<random>-upload.<ext>``; the worker's files replace the last
    part (``-original``, ``-display``, ``-thumbnail``)."""
    return _stored_name(photo, "upload", filename.rsplit(".", 1)[-1])


class ListingPhoto(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_photos"
    )
    # No database constraint, on purpose: a deleted listing's photos stay (hidden, as
    # its row is gone) until the undo window passes, and undo re-creates the listing
    # under its old id, which brings them back. ``photos.services.photos_purge``
    # removes the ones nothing can bring back.
    # No index of its own either: every read by listing is of shown photos, in order,
    # which photo_listing_shown_idx gives. With both, the planner took this one and
    # sorted each listing's photos (a file of photo links sorted 100,000 times).
    listing = models.ForeignKey(
        Listing, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="photos"
    )
    position = models.PositiveSmallIntegerField()
    # The picture as uploaded until the worker has made it safe (orientation applied,
    # location removed); served only once ``status`` is ready. Copies of a listing
    # (duplicates) share the stored files; the purge deletes a file with its last row.
    file = models.FileField(upload_to=upload_to, max_length=255)
    thumbnail = models.FileField(blank=True, max_length=255)
    display = models.FileField(blank=True, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    error = models.CharField(max_length=300, blank=True)
    # Set while an undoable step hides the photo (the seller deleted it, or undid its
    # upload): that step's batch. Undo and redo clear and set it; once the step is
    # forgotten the purge deletes the photo and its files.
    removed_batch = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The photo's published-link token, kept so a file of many links need not sign
    # each one (``photos.links``); it counts only while ``link_token_stamp`` is the
    # stamp of the seller's current key and the site's secret, and a link is always
    # checked by signing afresh, never against this copy.
    link_token = models.CharField(max_length=32, blank=True)
    link_token_stamp = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(
                fields=["listing", "position", "id"],
                condition=Q(removed_batch__isnull=True),
                name="photo_listing_shown_idx",
            ),
            models.Index(fields=["owner", "removed_batch"], name="photo_owner_removed_idx"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk} of listing {self.listing_id}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class PhotoBulk(models.Model):
    """A bulk photo upload (a zip or many files) waiting to be attached: its files
    matched to the owner's listings by name, for the seller to check first."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photo_bulks")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Bulk photo upload {self.pk}"


class PhotoBulkFile(models.Model):
    class Match(models.TextChoices):
        MATCHED = "matched", "Matched"
        AMBIGUOUS = "ambiguous", "Ambiguous"
        UNMATCHED = "unmatched", "Unmatched"

    bulk = models.ForeignKey(PhotoBulk, on_delete=models.CASCADE, related_name="files")
    # The name inside the zip (or as uploaded), shown only; never used as a path.
    name = models.CharField(max_length=255)
    file = models.FileField(blank=True, max_length=255)
    preview = models.FileField(blank=True, max_length=255)
    match = models.CharField(max_length=10, choices=Match.choices)
    # The listing a matched file goes to; the candidates of an ambiguous one,
    # ``[{"listing": id, "number": n}]`` (``AB-2.jpg``: SKU AB-2's first, or AB's second).
    listing_id = models.BigIntegerField(null=True, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    # Where it goes among the listing's photos (SKU.jpg is 1, SKU-2.jpg 2, …).
    number = models.PositiveIntegerField(default=1)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PhotoLinkKey(models.Model):
    """The seller's published photo links: while this row exists, each ready photo of
    theirs has a capability URL signed with ``key`` (``photos.links``), which
    marketplaces fetch without logging in. A new key ("revoke all links") makes every
    earlier URL fail; deleting the row unpublishes them."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photo_link_key"
    )
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Photo links of {self.owner_id}"
