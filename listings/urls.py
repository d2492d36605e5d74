from django.urls import path

from listings.views import bulk, grid, history, layout, paste

app_name = "listings"

urlpatterns = [
    path("", grid.grid, name="grid"),
    path("count/", grid.grid_count, name="count"),
    path("new/", grid.row_add, name="row_add"),
    path("paste/", paste.paste, name="paste"),
    path("remove-empty/", grid.rows_remove_empty, name="remove_empty"),
    path("bulk/<slug:action>/", bulk.bulk, name="bulk"),
    path("categories/", grid.category_suggest, name="categories"),
    path("undo/", grid.undo, {"direction": "undo"}, name="undo"),
    path("redo/", grid.undo, {"direction": "redo"}, name="redo"),
    path("undo-buttons/", grid.undo_buttons, name="undo_buttons"),
    path("layout/", layout.layout_save, name="layout"),
    path("layout/reset/", layout.layout_reset, name="layout_reset"),
    path("views/", layout.view_create, name="view_create"),
    path("views/<int:pk>/apply/", layout.view_apply, name="view_apply"),
    path("views/<int:pk>/delete/", layout.view_delete, name="view_delete"),
    # The grid builds these from its base URL (no reverse() per cell); keep the shape.
    path("<int:pk>/cells/<slug:field>/", grid.cell, name="cell"),
    path("<int:pk>/delete/", grid.row_delete, name="row_delete"),
    path("<int:pk>/duplicate/", grid.row_duplicate, name="row_duplicate"),
    path("<int:pk>/history/", history.history, name="history"),
    path("<int:pk>/history/<int:entry_pk>/revert/", history.revert, name="revert"),
]
