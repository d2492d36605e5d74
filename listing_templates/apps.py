from django.apps import AppConfig


class ListingTemplatesConfig(AppConfig):
    name = "listing_templates"
    verbose_name = "Listing templates"

    def ready(self) -> None:
        from listing_templates import history_words

        history_words.register()
