from django.urls import path

from listings.api import views

urlpatterns = [
    path("listings/", views.ListingListView.as_view(), name="api-listings"),
    path("listings/bulk/", views.ListingBulkView.as_view(), name="api-listings-bulk"),
    path("listings/find-replace/", views.FindReplaceView.as_view(), name="api-listings-find-replace"),
    path("listings/undo/", views.UndoView.as_view(), name="api-listings-undo"),
    path("listings/redo/", views.RedoView.as_view(), name="api-listings-redo"),
    path("listings/<int:pk>/", views.ListingDetailView.as_view(), name="api-listing"),
    path("listings/<int:pk>/duplicate/", views.ListingDuplicateView.as_view(), name="api-listing-duplicate"),
    path("listings/<int:pk>/history/", views.ListingHistoryView.as_view(), name="api-listing-history"),
    path("listings/<int:pk>/revert/", views.ListingRevertView.as_view(), name="api-listing-revert"),
    path("templates/", views.TemplateListView.as_view(), name="api-templates"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="api-template"),
    path("templates/<int:pk>/apply/", views.TemplateApplyView.as_view(), name="api-template-apply"),
]
