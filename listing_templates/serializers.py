"""What a listing template looks like in the API, and what applying one takes."""

from typing import Any

from rest_framework import serializers

from listing_templates.models import TEMPLATE_EDITABLE_FIELDS, TEMPLATE_KEPT_FIELDS, ApplyMode
from listings.api.serializers import SelectionSerializer

TEMPLATE_COLUMNS = ("id", "owner_id", *TEMPLATE_EDITABLE_FIELDS, *TEMPLATE_KEPT_FIELDS)


def template_json(row: dict[str, Any], user_id: int) -> dict[str, Any]:
    out = {name: row[name] for name in TEMPLATE_COLUMNS if name != "owner_id"}
    out["mine"] = row["owner_id"] == user_id
    return out


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    defaults = serializers.DictField()
    is_public = serializers.BooleanField()
    use_count = serializers.IntegerField()
    mine = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TemplateListSerializer(serializers.Serializer):
    results = TemplateSerializer(many=True)


class TemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    defaults = serializers.DictField(required=False)
    is_public = serializers.BooleanField(required=False)


class TemplateApplySerializer(SelectionSerializer):
    mode = serializers.ChoiceField(choices=ApplyMode.choices, default=ApplyMode.FILL_EMPTY)
