"""The one input and output shape of the feed operations, for the API and the
*Catalog feeds* page alike."""

from django.urls import reverse
from rest_framework import serializers

from feeds.models import Feed
from feeds.services import FEED_FORMATS


def feed_url(feed: Feed, request=None) -> str:
    """The feed's address: the token in it is the credential."""
    url = reverse("feeds:file", args=[feed.token, feed.export_format])
    return request.build_absolute_uri(url) if request is not None else url


class FeedCreateSerializer(serializers.Serializer):
    """A new feed: a format and a filter (the grid's query string, e.g. ``status=listed``);
    the filter is checked by ``feeds.services.feed_create``, as the page's is."""

    # Judged by the service (one rule and one message for the page and the API).
    export_format = serializers.CharField(help_text=f"One of: {', '.join(FEED_FORMATS)}.")
    query = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The grid's query string, e.g. status=listed."
    )


class FeedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="Served without logging in: its token is the credential."
    )

    class Meta:
        model = Feed
        fields = ["id", "export_format", "query", "url", "created_at", "last_fetched_at", "fetch_count"]
        read_only_fields = fields

    def get_url(self, feed: Feed) -> str:
        return feed_url(feed, self.context.get("request"))
