"""``GET /metrics``: Prometheus metrics, for allowed addresses or a bearer token.

Requests are counted and timed by django-prometheus' middleware; tasks by the hooks
in ``marketplace.tasks_observed``; the queue (how many tasks wait, how long the
oldest has waited) is read from django-tasks-db's table at each scrape, so every web
host reports the same, cluster-wide figures. With several processes on a host
(gunicorn workers, a ``db_worker``), set ``PROMETHEUS_MULTIPROC_DIR`` to one
directory for all of them (prometheus_client's multi-process mode) and any of them
answers for all.
"""

import hmac
import ipaddress

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from marketplace.requests import client_ip

TASKS_FINISHED = Counter("mbe_tasks_finished_total", "Background tasks finished", ["task", "status"])
TASK_SECONDS = Histogram(
    "mbe_task_duration_seconds",
    "Time a background task ran, from start to finish",
    ["task"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
TASKS_STARTED = Counter("mbe_tasks_started_total", "Background tasks started", ["task"])


class TaskQueueCollector:
    """Queue depth, running tasks and the oldest pending task's age, per queue."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "mbe_task_queue_depth", "Tasks ready to run, not yet taken", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "mbe_task_queue_oldest_pending_age_seconds",
            "Seconds the oldest ready task has waited (0 with none waiting)",
            labels=["queue"],
        )
        running = GaugeMetricFamily("mbe_task_queue_running", "Tasks being run by a worker", labels=["queue"])
        now = timezone.now()
        ready = (
            DBTaskResult.objects.ready()
            .values("queue_name")
            .annotate(n=Count("id"), first=Min("enqueued_at"))
        )
        for row in ready:
            depth.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], (now - row["first"]).total_seconds())
        for row in DBTaskResult.objects.running().values("queue_name").annotate(n=Count("id")):
            running.add_metric([row["queue_name"]], row["n"])
        if not ready:
            depth.add_metric(["default"], 0)
            oldest.add_metric(["default"], 0)
        yield from (depth, oldest, running)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return JsonResponse(
            {"detail": "Metrics are readable only from allowed addresses or with the token."}, status=403
        )
    response = ExportToDjangoView(request)
    queue = CollectorRegistry(auto_describe=False)
    queue.register(TaskQueueCollector())
    response.content = response.content + generate_latest(queue)
    return response
