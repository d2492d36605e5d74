from django.urls import path

from imports import api

app_name = "imports-api"

urlpatterns = [
    path("", api.imports, name="list"),
    path("<int:pk>/", api.import_detail, name="detail"),
    path("<int:pk>/commit/", api.import_commit, name="commit"),
]
