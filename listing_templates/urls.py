from django.urls import path

from listing_templates import views

app_name = "listing_templates"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_form, name="create"),
    path("add-rows/", views.template_add_rows, name="add_rows"),
    path("apply/", views.template_apply_to_selection, name="apply"),
    path("<int:pk>/", views.template_form, name="edit"),
    path("<int:pk>/delete/", views.template_remove, name="delete"),
]
