from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.identity import account_rate_limited
from audit.api import AuditListView
from insights.api import InsightsView
from marketplace import health, metrics
from photos.views import photo_link

# Swagger UI with its start-up script as a file (the split view) and its page style in
# static/css; its own stylesheet draws icons as data: images, allowed on this page only.
swagger_ui = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
)

urlpatterns = [
    # "/" (the grid for a browser, an index for an API client) and the Flask-compatible
    # API's paths, which have no trailing slash and so never shadow a native path.
    path("", include("flask_api.urls")),
    # The admin's own log-in view, under the per-account limit every log-in door has.
    path("admin/login/", account_rate_limited(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/health/", health.health, name="health"),
    # Published photo links: no log-in, so outside every app's logged-in prefix.
    path("p/<int:photo_id>/<str:token>.jpg", photo_link, name="photo-link"),
    path("api/health/live/", health.live, name="health-live"),
    path("api/health/ready/", health.ready, name="health-ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/", include("listings.api.urls")),
    path("api/", include("photos.api")),
    path("api/", include("feeds.api")),
    path("api/templates/", include("listing_templates.api_urls")),
    path("api/audit/", AuditListView.as_view(), name="api-audit"),
    path("api/insights/", InsightsView.as_view(), name="api-insights"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path("api/auth/", include("accounts.api_urls")),
    path("accounts/", include("accounts.urls")),
    path("listings/import/", include("imports.urls")),
    path("listings/templates/", include("listing_templates.urls")),
    path("listings/", include("photos.urls")),
    path("listings/", include("listings.urls")),
    path("history/", include("audit.urls")),
    path("insights/", include("insights.urls")),
    path("feeds/", include("feeds.urls")),
    path("api/imports/", include("imports.api_urls")),
    path("", include("exports.urls")),
    path("ocr/", include("ocr.urls")),
    path("api/ocr/", include("ocr.api")),
]
