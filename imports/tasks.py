"""The background commit of a large import (django-tasks, run by ``manage.py db_worker``)."""

from django_tasks import task

from accounts.models import User
from imports.models import Import
from imports.services import ImportRejected, import_commit


@task()
def commit_import(*, import_id: int, actor_id: int, skip_invalid: bool) -> dict:
    upload = Import.objects.select_related("template").get(pk=import_id)
    actor = User.objects.get(pk=actor_id)
    try:
        upload = import_commit(upload=upload, actor=actor, skip_invalid=skip_invalid)
    except ImportRejected:
        # import_commit stored the failure and its errors on the import for the page.
        upload.refresh_from_db()
    return {"status": upload.status, "counts": upload.counts}
