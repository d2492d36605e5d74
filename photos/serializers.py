"""The one input and output shape of each photo operation, for the API and the
grid's drawer alike."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from photos.models import MAX_PHOTOS_PER_LISTING, ListingPhoto, PhotoBulk, PhotoBulkFile


def photo_url(photo: ListingPhoto, kind: str, request=None) -> str | None:
    """The owner-only address of one of the photo's files, once the worker drew it."""
    if not photo.is_ready:
        return None
    url = reverse("photos:file", args=[photo.listing_id, photo.pk, kind])
    return request.build_absolute_uri(url) if request else url


class PhotoSerializer(serializers.ModelSerializer):
    original = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = ListingPhoto
        fields = [
            "id",
            "listing",
            "position",
            "status",
            "error",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "original",
            "display",
            "thumbnail",
            "created_at",
        ]
        read_only_fields = fields

    def _url(self, photo: ListingPhoto, kind: str) -> str | None:
        return photo_url(photo, kind, self.context.get("request"))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_original(self, photo: ListingPhoto) -> str | None:
        return self._url(photo, "original")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_display(self, photo: ListingPhoto) -> str | None:
        return self._url(photo, "display")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, photo: ListingPhoto) -> str | None:
        return self._url(photo, "thumbnail")


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        max_length=MAX_PHOTOS_PER_LISTING,
        help_text="One or more image files (JPEG, PNG, WebP, HEIC), each as a `file` part.",
    )


class PhotoOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_PHOTOS_PER_LISTING,
        help_text="The ids of all of the listing's photos, in their new order.",
    )


class BulkUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text="A zip of photos, or photos, each as a `files` part. Names match listings: "
        "`SKU.jpg`, `SKU-2.jpg`, `SKU_3.png` or the listing id.",
    )


class BulkCandidateSerializer(serializers.Serializer):
    listing = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="Where the photo goes among the listing's.")


class BulkFileSerializer(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="listing_id", allow_null=True, read_only=True)
    candidates = BulkCandidateSerializer(many=True, read_only=True)
    preview = serializers.SerializerMethodField()

    class Meta:
        model = PhotoBulkFile
        fields = ["id", "name", "match", "listing", "candidates", "number", "reason", "preview"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_preview(self, row: PhotoBulkFile) -> str | None:
        if not row.preview:
            return None
        url = reverse("photos:bulk_preview", args=[row.bulk_id, row.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PhotoBulkSerializer(serializers.ModelSerializer):
    files = BulkFileSerializer(many=True, read_only=True)

    class Meta:
        model = PhotoBulk
        fields = ["id", "created_at", "files"]
        read_only_fields = fields


class BulkChoiceSerializer(serializers.Serializer):
    file = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    listing = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BulkAttachSerializer(serializers.Serializer):
    choices = BulkChoiceSerializer(
        many=True,
        required=False,
        help_text="For ambiguous files: which of their candidate listings each goes to.",
    )


# --- Published photo links: the *Photo links* page and ``/api/photos/links/`` ---------

PHOTO_LINK_ACTIONS = ("publish", "revoke", "unpublish")


class PhotoLinksActionSerializer(serializers.Serializer):
    """Publish links (each ready photo gets a capability URL), revoke them all (a new
    key: every earlier URL stops working) or stop publishing."""

    action = serializers.ChoiceField(choices=PHOTO_LINK_ACTIONS)


class PhotoLinksSerializer(serializers.Serializer):
    published = serializers.BooleanField()
    since = serializers.DateTimeField(
        allow_null=True, help_text="When the current key was made (published or last revoked)."
    )
    links = serializers.DictField(
        child=serializers.ListField(child=serializers.URLField()),
        required=False,
        help_text="With ?listings=1,2: each listing's photo links, in photo order.",
    )
