from django.apps import AppConfig


class FlaskApiConfig(AppConfig):
    name = "flask_api"
    verbose_name = "Flask-compatible API"
