from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from listings.readiness import register_rule
        from photos import history_words, links, receivers

        receivers.connect()
        history_words.register()
        register_rule(links.MARKETPLACES_NEEDING_A_PHOTO, links.no_photo_link_rule)
