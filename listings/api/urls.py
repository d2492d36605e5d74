from django.urls import path

from listings.api import bulk, history, listings, readiness

urlpatterns = [
    path("listings/", listings.ListingListView.as_view(), name="api-listings"),
    path("listings/readiness/", readiness.ReadinessView.as_view(), name="api-listings-readiness"),
    path("listings/bulk/", bulk.ListingBulkView.as_view(), name="api-listings-bulk"),
    path("listings/duplicates/", bulk.DuplicatesView.as_view(), name="api-listings-duplicates"),
    path("listings/find-replace/", bulk.FindReplaceView.as_view(), name="api-listings-find-replace"),
    path("listings/undo/", history.UndoView.as_view(), name="api-listings-undo"),
    path("listings/redo/", history.RedoView.as_view(), name="api-listings-redo"),
    path("operations/<uuid:batch>/undo/", history.OperationUndoView.as_view(), name="api-operation-undo"),
    path("listings/<int:pk>/", listings.ListingDetailView.as_view(), name="api-listing"),
    path(
        "listings/<int:pk>/duplicate/", listings.ListingDuplicateView.as_view(), name="api-listing-duplicate"
    ),
    path("listings/<int:pk>/history/", history.ListingHistoryView.as_view(), name="api-listing-history"),
    path("listings/<int:pk>/revert/", history.ListingRevertView.as_view(), name="api-listing-revert"),
]
