from django.urls import include, path

from listings import layout_views, views

app_name = "listings"

urlpatterns = [
    path("", views.grid, name="grid"),
    path("count/", views.grid_count, name="count"),
    path("new/", views.row_add, name="row_add"),
    path("paste/", views.paste, name="paste"),
    path("remove-empty/", views.rows_remove_empty, name="remove_empty"),
    path("bulk/<slug:action>/", views.bulk, name="bulk"),
    path("categories/", views.category_suggest, name="categories"),
    path("undo/", views.undo, {"direction": "undo"}, name="undo"),
    path("redo/", views.undo, {"direction": "redo"}, name="redo"),
    path("undo-buttons/", views.undo_buttons, name="undo_buttons"),
    path("layout/", layout_views.layout_save, name="layout"),
    path("layout/reset/", layout_views.layout_reset, name="layout_reset"),
    path("views/", layout_views.view_create, name="view_create"),
    path("views/<int:pk>/apply/", layout_views.view_apply, name="view_apply"),
    path("views/<int:pk>/delete/", layout_views.view_delete, name="view_delete"),
    # The grid builds these from its base URL (no reverse() per cell); keep the shape.
    path("<int:pk>/cells/<slug:field>/", views.cell, name="cell"),
    path("<int:pk>/delete/", views.row_delete, name="row_delete"),
    path("<int:pk>/duplicate/", views.row_duplicate, name="row_duplicate"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history/<int:entry_pk>/revert/", views.revert, name="revert"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_form, name="template_create"),
    path("templates/add-rows/", views.template_add_rows, name="template_add_rows"),
    path("templates/<int:pk>/", views.template_form, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_remove, name="template_delete"),
    path("import/", include("listings.importing.urls")),
]
