from django.urls import path

from listing_templates import api

urlpatterns = [
    path("", api.TemplateListView.as_view(), name="api-templates"),
    path("<int:pk>/", api.TemplateDetailView.as_view(), name="api-template"),
    path("<int:pk>/apply/", api.TemplateApplyView.as_view(), name="api-template-apply"),
]
