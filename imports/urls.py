"""The import pages, under ``/listings/import/``."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/mapping/", views.import_mapping, name="mapping"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/fix/", views.import_fix, name="fix"),
    path("<int:pk>/mode/", views.import_mode, name="mode"),
    path("<int:pk>/errors.csv", views.import_error_report, name="error_report"),
]
