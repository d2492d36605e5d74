from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from listings import history_words
        from listings.filters import register_listing_filter
        from listings.importing.filters import IMPORT_FILTER

        register_listing_filter(IMPORT_FILTER)
        history_words.register()
