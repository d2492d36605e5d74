"""``/api/file-history*`` (our imports, exports and scans) and ``/api/backup/*``
(a zip of the account's data as JSON)."""

from typing import Any

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from exports.api import FileContentNegotiation
from exports.backup import BACKUP_CONTENT_TYPE, account_backup_create, account_restore
from flask_api.base import FlaskView, flask_error, page, page_serializer
from flask_api.selectors import FILE_TYPES, file_history_entry, file_history_for
from marketplace.errors import InvalidInput
from marketplace.ratelimits import rate_limited

NOT_FOUND = "File history not found"
RECORDED_BY_SERVER = (
    "File history is recorded by the server: every import, export and OCR scan is in it "
    "as it happened, and it cannot be written, edited or deleted through the API."
)
OPERATIONS = {"import": "upload", "export": "download", "ocr": "scan"}


def entry_json(row: dict[str, Any], user_id: int) -> dict[str, Any]:
    return {
        "id": f"{row['file_type']}-{row['entry_id']}",
        "user_id": user_id,
        "file_name": row["file_name"],
        "file_type": row["file_type"],
        "file_format": row["file_format"],
        "file_size": row["file_bytes"],
        "row_count": row["row_count"],
        "operation": OPERATIONS[row["file_type"]],
        "status": row["state"],
        "error_message": row["error_message"] or None,
        "metadata": None,
        "created_at": row["created"],
        "updated_at": row["updated"],
    }


class FileHistorySerializer(serializers.Serializer):
    id = serializers.CharField(help_text="import-<id>, export-<id> or ocr-<id>.")
    user_id = serializers.IntegerField()
    file_name = serializers.CharField(allow_blank=True)
    file_type = serializers.ChoiceField(choices=FILE_TYPES)
    file_format = serializers.CharField(allow_blank=True, allow_null=True)
    file_size = serializers.IntegerField(allow_null=True)
    row_count = serializers.IntegerField(allow_null=True)
    operation = serializers.CharField()
    status = serializers.CharField()
    error_message = serializers.CharField(allow_null=True)
    metadata = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


NOT_IMPLEMENTED = inline_serializer("FlaskNotImplemented", fields={"error": serializers.CharField()})


class FileHistoryListView(FlaskView):
    @extend_schema(
        operation_id="flask_file_history_list",
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("per_page", int, description="Default 20, at most 100."),
            OpenApiParameter("file_type", str, enum=list(FILE_TYPES)),
        ],
        responses=page_serializer(
            "FlaskFileHistoryPage", "file_history", FileHistorySerializer(many=True), with_pages=False
        ),
    )
    def get(self, request: Request) -> Response:
        file_type = request.query_params.get("file_type") or None
        if file_type is not None and file_type not in FILE_TYPES:
            raise ValidationError({"file_type": [f"Use one of: {', '.join(FILE_TYPES)}."]})
        rows = file_history_for(request.user, file_type=file_type)
        return Response(
            page(
                request,
                rows,
                lambda row: entry_json(row, request.user.pk),
                key="file_history",
                default_per_page=20,
                with_pages=False,
            )
        )

    @extend_schema(request=None, responses={501: NOT_IMPLEMENTED})
    def post(self, request: Request) -> Response:
        return flask_error(RECORDED_BY_SERVER, status.HTTP_501_NOT_IMPLEMENTED)


class FileHistoryDetailView(FlaskView):
    @extend_schema(responses=FileHistorySerializer)
    def get(self, request: Request, entry_id: str) -> Response:
        row = file_history_entry(request.user, entry_id)
        if row is None:
            raise NotFound(NOT_FOUND)
        return Response(entry_json(row, request.user.pk))

    @extend_schema(request=None, responses={501: NOT_IMPLEMENTED})
    def put(self, request: Request, entry_id: str) -> Response:
        return flask_error(RECORDED_BY_SERVER, status.HTTP_501_NOT_IMPLEMENTED)

    @extend_schema(responses={501: NOT_IMPLEMENTED})
    def delete(self, request: Request, entry_id: str) -> Response:
        return flask_error(RECORDED_BY_SERVER, status.HTTP_501_NOT_IMPLEMENTED)


class BackupCreateView(FlaskView):
    content_negotiation_class = FileContentNegotiation

    @extend_schema(request=None, responses={(200, BACKUP_CONTENT_TYPE): OpenApiTypes.BINARY})
    @rate_limited("exports")
    def post(self, request: Request) -> FileResponse:
        """A zip of the account's listings, templates and history, one JSON file each."""
        backup = account_backup_create(user=request.user)
        return FileResponse(
            backup.file, as_attachment=True, filename=backup.filename, content_type=BACKUP_CONTENT_TYPE
        )


class BackupRestoreView(FlaskView):
    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "FlaskBackupRestore", fields={"file": serializers.FileField()}
            )
        },
        responses={
            200: inline_serializer(
                "FlaskBackupRestored",
                fields={"success": serializers.BooleanField(), "restored": serializers.DictField()},
            )
        },
    )
    @rate_limited("uploads")
    def post(self, request: Request) -> Response:
        """Restore a zip from POST /api/backup/create into this account, which must have
        no listings or templates yet (the same restore as ``manage.py account_import``)."""
        upload = request.FILES.get("file")
        if upload is None:
            return flask_error("Send the backup zip (from POST /api/backup/create) as 'file'.", 400)
        if upload.size > settings.IMPORT_MAX_BYTES:
            return flask_error(f"The backup is larger than {settings.IMPORT_MAX_BYTES:,} bytes.", 400)
        try:
            counts = account_restore(user=request.user, file=upload)
        except InvalidInput as exc:
            return flask_error(" ".join(error.message for error in exc.errors), 400)
        return Response({"success": True, "restored": counts})


class BackupInfoView(FlaskView):
    @extend_schema(
        responses=inline_serializer(
            "FlaskBackupInfo",
            fields={
                "supported": serializers.BooleanField(),
                "database_type": serializers.CharField(),
                "database_name": serializers.CharField(),
                "backup_format": serializers.CharField(),
                "restore_format": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        from django.db import connection

        return Response(
            {
                "supported": True,
                "database_type": connection.display_name,
                "database_name": "your account",
                "backup_format": "ZIP of JSON files: listings.json, templates.json, history.json",
                "restore_format": "The same ZIP, into an account with no listings or templates yet",
            }
        )
