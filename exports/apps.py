from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports import history_words
        from exports.readiness import FACEBOOK_FILTER
        from listings.filters import register_listing_filter

        history_words.register()
        register_listing_filter(FACEBOOK_FILTER)
