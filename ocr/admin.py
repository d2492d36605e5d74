from django.contrib import admin

from ocr.models import Candidate, Scan, ScanPage


class ScanPageInline(admin.TabularInline):
    model = ScanPage
    fields = ["number", "mean_confidence", "seconds", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "owner",
        "status",
        "pages_done",
        "page_count",
        "items_found",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["original_name", "owner__email"]
    readonly_fields = [field.name for field in Scan._meta.fields]
    inlines = [ScanPageInline]

    def has_add_permission(self, request) -> bool:
        # Scans come in through the upload page or the API, which queue the worker.
        return False


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["title", "price", "confidence", "scan", "listing"]
    list_select_related = ["scan", "listing"]
    readonly_fields = [field.name for field in Candidate._meta.fields]
    search_fields = ["title"]
