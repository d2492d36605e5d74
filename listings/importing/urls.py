"""The import pages, included under ``/listings/import/`` in the listings namespace."""

from django.urls import path

from listings.importing import views

urlpatterns = [
    path("", views.import_upload, name="import"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/files/<int:file_pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("<int:pk>/errors.csv", views.import_error_report, name="import_error_report"),
    path("<int:pk>/files/<int:file_pk>/", views.import_file_download, name="import_file"),
]
