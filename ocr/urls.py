from django.urls import path

from ocr import views

app_name = "ocr"

urlpatterns = [
    path("", views.scans, name="scans"),
    path("<int:scan_id>/", views.review, name="review"),
    path("<int:scan_id>/progress/", views.progress, name="progress"),
    path("<int:scan_id>/convert/", views.convert, name="convert"),
    path("<int:scan_id>/delete/", views.delete, name="delete"),
    path("<int:scan_id>/file/", views.scan_file, name="file"),
    path("<int:scan_id>/pages/<int:number>/image/", views.page_image, name="page-image"),
    path("<int:scan_id>/pages/<int:number>/rerun/", views.page_rerun, name="page-rerun"),
    path(
        "<int:scan_id>/candidates/<int:candidate_id>/<str:field>/",
        views.candidate_cell,
        name="candidate-cell",
    ),
]
