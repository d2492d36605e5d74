from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from imports import history_words
        from imports.filters import IMPORT_FILTER
        from listings.filters import register_listing_filter

        register_listing_filter(IMPORT_FILTER)
        history_words.register()
