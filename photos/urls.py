from django.urls import path

from photos import views

app_name = "photos"
urlpatterns = [
    path("<int:pk>/photos/<int:photo_id>/<str:kind>/", views.photo_file, name="file"),
]
