from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from listings import history_words
        from listings.filters import register_listing_filter
        from listings.readiness import READINESS_FILTERS

        history_words.register()
        for readiness_filter in READINESS_FILTERS:
            register_listing_filter(readiness_filter)
