from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import (
            history_words,
            signals,  # noqa: F401  (connects the receivers)
        )

        history_words.register()
