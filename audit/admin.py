import json

from django.contrib import admin
from django.utils.html import format_html

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, so nobody may add, change or delete an
    entry here (the model refuses too; this keeps the buttons away)."""

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "ip", "request_method")
    list_filter = ("action", "object_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("actor__email", "=object_id")
    search_help_text = "An actor's e-mail (part of it) or an exact object id."
    list_select_related = ("actor",)
    list_per_page = 100
    show_full_result_count = False
    fields = (
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "batch",
        "changes_table",
        "ip",
        "user_agent",
        "request_method",
        "request_path",
    )
    readonly_fields = fields

    @admin.display(description="changes")
    def changes_table(self, entry: AuditEntry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(entry.changes, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
