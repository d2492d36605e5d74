"""What an audit entry looks like in the API, and the one filter of the audit log:
the history page and ``GET /api/audit/`` both read their query through
``AuditFilterSerializer``, so the same query means the same entries (or the same
error) at either door, and the OpenAPI schema says what it accepts."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

# A change as the history of one object shows it.
CHANGE_COLUMNS = ("id", "action", "changes", "batch", "created_at")
# An entry of the user's whole log: the change and the object it was made to.
AUDIT_COLUMNS = (*CHANGE_COLUMNS, "object_type", "object_id")


class AuditChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    changes = serializers.DictField(help_text="field: [before, after]")
    batch = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()


class AuditEntrySerializer(AuditChangeSerializer):
    object_type = serializers.CharField()
    object_id = serializers.CharField()


class MomentField(serializers.CharField):
    """An ISO date or datetime; a bare date is the start of its day, or with
    ``end_of_day`` its end (so ``date_to=2026-01-31`` includes the 31st)."""

    def __init__(self, *, end_of_day: bool = False, **kwargs) -> None:
        self.end_of_day = end_of_day
        super().__init__(required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data) -> datetime | None:
        text = super().to_internal_value(data).strip()
        if not text:
            return None
        try:
            day = parse_date(text)
            edge = time.max if self.end_of_day else time.min
            moment = datetime.combine(day, edge) if day else parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise serializers.ValidationError(f"“{text[:40]}” is not a date such as 2026-01-31.")
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class AuditFilterSerializer(serializers.Serializer):
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="A kind of action as the history page's Action filter names it (listings-edited).",
    )
    action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="An action (listing.update), or a family ending in a dot (listing.).",
    )
    object_type = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="An object type, e.g. listings.listing."
    )
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    date_from = MomentField(help_text="ISO date or datetime, inclusive.")
    date_to = MomentField(end_of_day=True, help_text="ISO date or datetime, inclusive.")

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["The end comes before the start."]})
        return attrs
