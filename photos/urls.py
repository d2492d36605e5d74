from django.urls import path

from photos import views

app_name = "photos"
urlpatterns = [
    path("photos/links/", views.links_page, name="links"),
    path("photos/bulk/", views.bulk_upload, name="bulk"),
    path("photos/bulk/<int:bulk_id>/", views.bulk_preview_page, name="bulk_preview_page"),
    path("photos/bulk/<int:bulk_id>/attach/", views.bulk_attach, name="bulk_attach"),
    path("photos/bulk/<int:bulk_id>/discard/", views.bulk_discard, name="bulk_discard"),
    path("photos/bulk/<int:bulk_id>/files/<int:file_id>/preview/", views.bulk_preview, name="bulk_preview"),
    path("<int:pk>/photos/drawer/", views.drawer, name="drawer"),
    path("<int:pk>/photos/drawer/upload/", views.drawer_upload, name="drawer_upload"),
    path("<int:pk>/photos/drawer/order/", views.drawer_order, name="drawer_order"),
    path("<int:pk>/photos/drawer/<int:photo_id>/delete/", views.drawer_delete, name="drawer_delete"),
    path("<int:pk>/photos/cell/", views.cell, name="cell"),
    path("<int:pk>/photos/<int:photo_id>/<str:kind>/", views.photo_file, name="file"),
]
