"""The Flask system's "file history", read from what we keep: imports (with their
files), exports (their audit entries) and OCR scans, newest first, in one query."""

from typing import Any

from django.db.models import CharField, DateTimeField, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from accounts.models import User
from audit.models import AuditEntry
from imports.models import Import, ImportFile
from marketplace.input import whole_number
from ocr.models import Scan

FILE_TYPES = ("import", "export", "ocr")
# Every column is an annotation, defined in this order for each kind: a UNION pairs
# columns by position.
COLUMNS = (
    "file_type",
    "entry_id",
    "file_name",
    "file_format",
    "file_bytes",
    "row_count",
    "state",
    "error_message",
    "created",
    "updated",
)


def _row(**expressions) -> dict[str, Any]:
    types = {
        "entry_id": IntegerField(),
        "file_bytes": IntegerField(),
        "row_count": IntegerField(),
        "created": DateTimeField(),
        "updated": DateTimeField(),
    }
    return {
        name: expressions[name]
        if not isinstance(expressions[name], str)
        else Cast(F(expressions[name]), types.get(name, CharField()))
        for name in COLUMNS
    }


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _no_number() -> Cast:
    # A typed NULL: an untyped one in the first branches of a UNION makes it text.
    return Cast(Value(None), IntegerField())


def _imports(user: User) -> QuerySet:
    first_file = ImportFile.objects.filter(upload=OuterRef("pk")).order_by("position", "id")
    row = _row(
        file_type=_text("import"),
        entry_id="id",
        file_name=Coalesce(Subquery(first_file.values("original_name")[:1]), _text("")),
        file_format=Coalesce(Subquery(first_file.values("format")[:1]), _text("")),
        file_bytes=_no_number(),
        row_count=Cast(KT("counts__rows"), IntegerField()),
        state="status",
        error_message="message",
        created="created_at",
        updated="updated_at",
    )
    return Import.objects.filter(owner=user).annotate(**row).values(*COLUMNS)


def _exports(user: User) -> QuerySet:
    row = _row(
        file_type=_text("export"),
        entry_id="id",
        file_name=_text(""),
        file_format=Cast(KT("changes__format"), CharField()),
        file_bytes=_no_number(),
        row_count=Cast(KT("changes__count"), IntegerField()),
        state=_text("success"),
        error_message=_text(""),
        created="created_at",
        updated="created_at",
    )
    return AuditEntry.objects.filter(actor=user, action="listing.export").annotate(**row).values(*COLUMNS)


def _scans(user: User) -> QuerySet:
    row = _row(
        file_type=_text("ocr"),
        entry_id="id",
        file_name="original_name",
        file_format=_text("image"),
        file_bytes="file_size",
        row_count="items_found",
        state="status",
        error_message="error",
        created="created_at",
        updated="updated_at",
    )
    return Scan.objects.filter(owner=user).annotate(**row).values(*COLUMNS)


_PARTS = {"import": _imports, "export": _exports, "ocr": _scans}


def file_history_for(user: User, *, file_type: str | None = None) -> QuerySet:
    """Rows of ``COLUMNS``, newest first; ``file_type`` (one of ``FILE_TYPES``) narrows
    to one kind."""
    # Each part without its model's default ordering: a union's parts may not be ordered.
    first, *rest = [part(user).order_by() for name, part in _PARTS.items() if file_type in (None, name)]
    return (first.union(*rest, all=True) if rest else first).order_by("-created", "-entry_id")


def file_history_entry(user: User, entry_id: str) -> dict[str, Any] | None:
    """One row by its id (``import-12``, ``export-345``, ``ocr-7``), if it is the user's."""
    file_type, _, number = entry_id.partition("-")
    pk = whole_number(number)
    if file_type not in FILE_TYPES or pk is None:
        return None
    return _PARTS[file_type](user).filter(pk=pk).first()
