"""Task hooks: the queuing request's id carried into the worker, one log line when a
task starts and one when it ends, and the task metrics.

The request id rides in django-tasks-db's row, in ``args_kwargs`` beside the
arguments (the backend reads only ``args`` and ``kwargs`` from it), so the worker's log
lines and the audit rows a task writes carry the id of the request that queued it.
"""

import logging

from django.db.models.signals import pre_save
from django_tasks.signals import task_finished, task_started

from marketplace.metrics import TASK_SECONDS, TASKS_FINISHED, TASKS_STARTED
from marketplace.requests import current_request_id

logger = logging.getLogger("marketplace.tasks")
_REQUEST_ID = "request_id"


def remember_request_id(sender, instance, **kwargs) -> None:
    """Before a task row is first written (``pre_save`` of django-tasks-db's model)."""
    request_id = current_request_id.get()
    if request_id and instance._state.adding and isinstance(instance.args_kwargs, dict):
        instance.args_kwargs = {**instance.args_kwargs, _REQUEST_ID: request_id}


def task_began(sender, task_result, **kwargs) -> None:
    from django_tasks_db.models import DBTaskResult

    args_kwargs = DBTaskResult.objects.filter(pk=task_result.id).values_list("args_kwargs", flat=True).first()
    current_request_id.set((args_kwargs or {}).get(_REQUEST_ID, ""))
    TASKS_STARTED.labels(task=task_result.task.name).inc()
    logger.info(
        "task started",
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "worker": _worker(task_result),
        },
    )


def task_ended(sender, task_result, **kwargs) -> None:
    seconds = None
    if task_result.started_at and task_result.finished_at:
        seconds = (task_result.finished_at - task_result.started_at).total_seconds()
        TASK_SECONDS.labels(task=task_result.task.name).observe(seconds)
    status = str(task_result.status)
    TASKS_FINISHED.labels(task=task_result.task.name, status=status).inc()
    logger.info(
        "task finished",
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "status": status,
            "duration_s": seconds,
            "worker": _worker(task_result),
        },
    )
    current_request_id.set("")


def _worker(task_result) -> str:
    worker_ids = getattr(task_result, "worker_ids", None) or []
    return worker_ids[-1] if worker_ids else ""


def connect() -> None:
    from django_tasks_db.models import DBTaskResult

    pre_save.connect(
        remember_request_id, sender=DBTaskResult, dispatch_uid="marketplace.tasks_observed.queued"
    )
    task_started.connect(task_began, dispatch_uid="marketplace.tasks_observed.started")
    task_finished.connect(task_ended, dispatch_uid="marketplace.tasks_observed.finished")
