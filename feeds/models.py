"""Live catalog feeds: a URL a marketplace fetches on a schedule (Meta Commerce
Manager, Google Merchant Center), serving one of the seller's saved filters in a
marketplace's format, without logging in; the token in the URL is the credential."""

from django.conf import settings
from django.db import models


class Feed(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feeds")
    # secrets.token_urlsafe(32): 43 characters, unguessable; a revoked feed is deleted.
    token = models.CharField(max_length=64, unique=True)
    export_format = models.CharField(max_length=20)
    # The grid's query string (``status=listed``), read by ``listings_filtered``.
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.export_format} feed of {self.owner_id}"
