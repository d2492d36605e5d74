from django.apps import AppConfig


class OcrConfig(AppConfig):
    name = "ocr"
    verbose_name = "OCR"

    def ready(self) -> None:
        from listings.filters import register_listing_filter
        from ocr import history_words
        from ocr.filters import SCAN_FILTER

        register_listing_filter(SCAN_FILTER)
        history_words.register()
