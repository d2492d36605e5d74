from django.urls import include, path

from listings import views

app_name = "listings"

urlpatterns = [
    path("", views.grid, name="grid"),
    path("import/", include("listings.importing.urls")),
]
