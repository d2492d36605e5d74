from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from insights.filters import INSIGHT_FILTERS
        from listings.filters import register_listing_filter

        for listing_filter in INSIGHT_FILTERS:
            register_listing_filter(listing_filter)
