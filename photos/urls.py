from django.urls import path

from photos import views

app_name = "photos"
urlpatterns = [
    path("<int:pk>/photos/drawer/", views.drawer, name="drawer"),
    path("<int:pk>/photos/drawer/upload/", views.drawer_upload, name="drawer_upload"),
    path("<int:pk>/photos/drawer/order/", views.drawer_order, name="drawer_order"),
    path("<int:pk>/photos/drawer/<int:photo_id>/delete/", views.drawer_delete, name="drawer_delete"),
    path("<int:pk>/photos/cell/", views.cell, name="cell"),
    path("<int:pk>/photos/<int:photo_id>/<str:kind>/", views.photo_file, name="file"),
]
