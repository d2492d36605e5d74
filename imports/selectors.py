"""Reads of imports, always scoped to their owner."""

from collections.abc import Iterator
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from imports.models import Import
from imports.rows import RowError, check_import
from listings.models import UndoStep


def imports_for_user(user: User) -> QuerySet[Import]:
    """The user's imports, each with ``undone``: its committed listings were undone
    since (the import stays committed; the undo step says what became of it)."""
    undone = UndoStep.objects.filter(user=OuterRef("owner"), batch=OuterRef("batch"), undone=True)
    return (
        Import.objects.filter(owner=user)
        .annotate(undone=Exists(undone))
        .select_related("template")
        .prefetch_related("files")
    )


def import_get_for_user(user: User, pk: Any) -> Import:
    """The user's import, or 404: another user's import does not exist for them."""
    return get_object_or_404(imports_for_user(user), pk=pk)


def import_errors(upload: Import) -> Iterator[RowError]:
    """Every row error of the import, not only the ones kept on it, for the report."""
    yield from check_import(upload).errors


def progress_cache_key(pk: int) -> str:
    return f"import-progress:{pk}"


def import_progress(upload: Import) -> tuple[int, int]:
    """(rows done, percent) of a commit: while it runs the worker reports to the cache
    (its transaction hides its writes until the end), then the import keeps the total."""
    rows = upload.counts.get("rows") or 0
    done = upload.progress
    if upload.status in (Import.Status.QUEUED, Import.Status.COMMITTING):
        done = cache.get(progress_cache_key(upload.pk)) or 0
    return done, min(100, round(100 * done / rows)) if rows else 0
