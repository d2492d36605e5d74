from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from marketplace import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="listings:grid", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("api/health/", health.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("listings/", include("listings.urls")),
    path("ocr/", include("ocr.urls")),
    path("api/ocr/", include("ocr.api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
