from django.conf import settings
from django.db import models

from listings.validation import clean_template_defaults
from marketplace.errors import InvalidInput

# What a seller (or staff) edits on a template, and what the app keeps on it; the
# admin, the services and the API read these lists.
TEMPLATE_EDITABLE_FIELDS = ("name", "description", "defaults", "is_public")
TEMPLATE_KEPT_FIELDS = ("use_count", "created_at", "updated_at")


class ApplyMode(models.TextChoices):
    FILL_EMPTY = "fill_empty", "Fill empty fields"
    OVERWRITE = "overwrite", "Overwrite"


class ListingTemplate(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_templates"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    # Listing field -> default value, validated by listings.validation.clean_template_defaults.
    defaults = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)
    use_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table predates this app (templates began inside listings).
        db_table = "listings_listingtemplate"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="listing_template_name_unique_per_owner",
                violation_error_message="You already have a template with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.defaults = clean_template_defaults(self.defaults)
        except InvalidInput as exc:
            raise exc.as_django_error(prefix="defaults") from exc
