from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """The project package as an app, to connect the task hooks and the database's
    array parameters at start-up."""

    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from marketplace import sqlarrays, tasks_observed

        tasks_observed.connect()
        sqlarrays.register_dumper()
