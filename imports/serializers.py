from rest_framework import serializers

from imports.models import Import, ImportFile
from imports.selectors import import_progress


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text="One or several files.",
    )
    template = serializers.IntegerField(required=False, allow_null=True, help_text="Fills empty fields.")
    mode = serializers.ChoiceField(choices=Import.Mode.choices, default=Import.Mode.CREATE)
    sheet = serializers.CharField(required=False, allow_blank=True, help_text="The sheet to read.")


class ImportCommitSerializer(serializers.Serializer):
    skip_invalid = serializers.BooleanField(default=False)


class ImportFileSerializer(serializers.ModelSerializer):
    file = serializers.CharField(source="original_name")
    sheets = serializers.JSONField(source="sheet_names")
    header_row = serializers.SerializerMethodField()
    mapping = serializers.SerializerMethodField()

    class Meta:
        model = ImportFile
        fields = ["id", "file", "format", "sheet", "sheets", "header_row", "mapping"]

    def get_header_row(self, obj: ImportFile) -> int:
        return obj.header_row + 1

    def get_mapping(self, obj: ImportFile) -> list[dict]:
        return [
            {"column": header, "field": target}
            for header, target in zip(obj.headers, obj.mapping, strict=False)
        ]


class ImportSummarySerializer(serializers.ModelSerializer):
    files = ImportFileSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField(help_text="Rows written so far, or in all once committed.")
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = Import
        fields = [
            "id",
            "status",
            "mode",
            "template",
            "skip_invalid",
            "counts",
            "progress",
            "progress_percent",
            "message",
            "files",
            "created_at",
            "committed_at",
        ]

    def get_progress(self, obj: Import) -> int:
        return import_progress(obj)[0]

    def get_progress_percent(self, obj: Import) -> int:
        return import_progress(obj)[1]


class ImportSerializer(ImportSummarySerializer):
    class Meta(ImportSummarySerializer.Meta):
        fields = [*ImportSummarySerializer.Meta.fields, "errors", "preview"]
