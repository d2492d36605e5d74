from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """The project package as an app, to connect the task hooks at start-up."""

    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from marketplace import tasks_observed

        tasks_observed.connect()
