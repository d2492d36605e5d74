from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from listings import history_words
        from listings.filters import register_listing_filter
        from listings.readiness import READINESS_FILTERS, install_facebook_categories

        history_words.register()
        for readiness_filter in READINESS_FILTERS:
            register_listing_filter(readiness_filter)
        # Facebook's categories live in the database as a function (readiness).
        post_migrate.connect(install_facebook_categories, sender=self)
