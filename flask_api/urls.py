"""The Flask system's paths, exactly as it served them (no trailing slash)."""

from django.urls import path

from flask_api import audit, auth, export, files, insights, listings, ocr, system, templates, users

urlpatterns = [
    path("", system.IndexView.as_view(), name="flask-index"),
    path("health", system.HealthView.as_view(), name="flask-health"),
    path("api/system/start-scraper", system.StartScraperView.as_view(), name="flask-start-scraper"),
    path("api/system/health", system.SystemHealthView.as_view(), name="flask-system-health"),
    path("api/auth/register", auth.RegisterView.as_view(), name="flask-register"),
    path("api/auth/login", auth.LoginView.as_view(), name="flask-login"),
    path("api/auth/refresh", auth.RefreshView.as_view(), name="flask-refresh"),
    path("api/auth/logout", auth.LogoutView.as_view(), name="flask-logout"),
    path("api/auth/me", auth.MeView.as_view(), name="flask-me"),
    path("api/auth/change-password", auth.ChangePasswordView.as_view(), name="flask-change-password"),
    path("api/auth/profile", auth.ProfileView.as_view(), name="flask-profile"),
    path("api/listings", listings.ListingListView.as_view(), name="flask-listings"),
    path("api/listings/bulk", listings.ListingBulkView.as_view(), name="flask-listings-bulk"),
    path("api/listings/<str:listing_id>", listings.ListingDetailView.as_view(), name="flask-listing"),
    path("api/templates", templates.TemplateListView.as_view(), name="flask-templates"),
    path("api/templates/<str:template_id>", templates.TemplateDetailView.as_view(), name="flask-template"),
    path(
        "api/templates/<str:template_id>/use", templates.TemplateUseView.as_view(), name="flask-template-use"
    ),
    path("api/ocr/upload", ocr.UploadView.as_view(), name="flask-ocr-upload"),
    path("api/ocr/scans", ocr.ScanListView.as_view(), name="flask-ocr-scans"),
    path("api/ocr/scans/<str:scan_id>", ocr.ScanDetailView.as_view(), name="flask-ocr-scan"),
    path("api/ocr/scans/<str:scan_id>/correct", ocr.ScanCorrectView.as_view(), name="flask-ocr-correct"),
    *[
        path(f"api/export/{name}", export.export_view(name).as_view(), name=f"flask-export-{name}")
        for name in export.FLASK_FORMATS
    ],
    path("api/admin/cleanup/duplicates", insights.DuplicatesCleanupView.as_view(), name="flask-duplicates"),
    path("api/admin/stats", insights.StatsView.as_view(), name="flask-stats"),
    path("api/analytics/summary", insights.SummaryView.as_view(), name="flask-analytics-summary"),
    path("api/analytics/price-distribution", insights.PriceDistributionView.as_view(), name="flask-prices"),
    path("api/analytics/time-series", insights.TimeSeriesView.as_view(), name="flask-time-series"),
    path("api/analytics/trends", insights.TrendsView.as_view(), name="flask-trends"),
    path("api/audit/logs", audit.LogListView.as_view(), name="flask-audit-logs"),
    path("api/audit/logs/actions", audit.LogActionsView.as_view(), name="flask-audit-actions"),
    path("api/audit/logs/stats", audit.LogStatsView.as_view(), name="flask-audit-stats"),
    path("api/backup/create", files.BackupCreateView.as_view(), name="flask-backup-create"),
    path("api/backup/restore", files.BackupRestoreView.as_view(), name="flask-backup-restore"),
    path("api/backup/info", files.BackupInfoView.as_view(), name="flask-backup-info"),
    path("api/users", users.UserListView.as_view(), name="flask-users"),
    path("api/users/<str:user_id>", users.UserDetailView.as_view(), name="flask-user"),
    path("api/users/<str:user_id>/toggle-admin", users.ToggleAdminView.as_view(), name="flask-toggle-admin"),
    path(
        "api/users/<str:user_id>/toggle-active", users.ToggleActiveView.as_view(), name="flask-toggle-active"
    ),
    path("api/users/<str:user_id>/unlock", users.UnlockView.as_view(), name="flask-unlock"),
    path(
        "api/users/<str:user_id>/reset-password",
        users.ResetPasswordView.as_view(),
        name="flask-reset-password",
    ),
    path("api/file-history", files.FileHistoryListView.as_view(), name="flask-file-history"),
    path(
        "api/file-history/<str:entry_id>",
        files.FileHistoryDetailView.as_view(),
        name="flask-file-history-entry",
    ),
]
