from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only.")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        # audit_actor_idx leads with the actor: a second index of the column alone
        # only cost every write (~10 % of a 100,000-entry insert, docs/performance.md).
        db_index=False,
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Field name -> [before, after]; JSON-ready values (decimals as strings).
    changes = models.JSONField(default=dict, blank=True)
    # Entries written by one operation (a bulk edit, an import) share a batch, so the
    # operation can be shown, undone and redone as one.
    batch = models.UUIDField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    request_path = models.CharField(max_length=512, blank=True)
    request_method = models.CharField(max_length=10, blank=True)
    # The id of the request (or of the request that queued the task) that wrote the
    # row, as in the logs: one search finds a change's log lines.
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            # Ordered by id within a batch: the history page reads an operation's first entries.
            models.Index(fields=["batch", "id"], name="audit_batch_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} by {self.actor_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")


class Operation(models.Model):
    """One thing a user did, as the history page lists it: every entry of one batch,
    or one entry written without a batch. Written by ``audit.services`` with the
    entries, so the page pages through operations on an index instead of grouping
    entries (a bulk edit of 100,000 listings is one operation of 100,000 entries)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_operations",
        # Served by audit_operation_actor_idx, which leads with the actor.
        db_index=False,
    )
    # The action of its first entry.
    action = models.CharField(max_length=64)
    batch = models.UUIDField(null=True, blank=True, unique=True)
    entry = models.OneToOneField(
        AuditEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="operation"
    )
    entry_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(batch__isnull=True, entry__isnull=False)
                | models.Q(batch__isnull=False, entry__isnull=True),
                name="audit_operation_batch_or_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["actor", "-id"], name="audit_operation_actor_idx"),
            models.Index(fields=["actor", "action", "-id"], name="audit_operation_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} ×{self.entry_count} by {self.actor_id}"
