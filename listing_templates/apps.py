from django.apps import AppConfig


class ListingTemplatesConfig(AppConfig):
    name = "listing_templates"
    verbose_name = "Listing templates"
