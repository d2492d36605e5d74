from django.urls import path

from exports import api, views

app_name = "exports"

urlpatterns = [
    path("exports/", views.export, name="export"),
    path("exports/readiness/", views.readiness, name="readiness"),
    path("api/export/<str:export_format>/", api.ExportView.as_view(), name="api-export"),
]
