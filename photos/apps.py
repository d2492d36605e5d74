from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from photos import history_words, receivers

        receivers.connect()
        history_words.register()
