"""``/metrics``: request, task and queue figures, for allowed addresses or the token."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from marketplace.tests import sample_tasks

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_requests_are_counted_and_timed_by_view(client):
    labels = {"method": "GET", "transport": "http", "view": "health-live"}
    before = sample(scrape(client), "django_http_requests_total_by_view_transport_method_total", **labels)
    client.get("/api/health/live/")
    client.get("/api/health/live/")
    text = scrape(client)
    assert sample(text, "django_http_requests_total_by_view_transport_method_total", **labels) == before + 2
    assert sample(
        text, "django_http_requests_latency_seconds_by_view_method_count", method="GET", view="health-live"
    )


def test_queue_depth_and_the_oldest_pending_tasks_age(client):
    text = scrape(client)
    assert sample(text, "mbe_task_queue_depth", queue="default") == 0
    assert sample(text, "mbe_task_queue_oldest_pending_age_seconds", queue="default") == 0
    for _ in range(3):
        sample_tasks.noop.enqueue()
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.earliest("enqueued_at").pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    text = scrape(client)
    assert sample(text, "mbe_task_queue_depth", queue="default") == 3
    assert 300 <= sample(text, "mbe_task_queue_oldest_pending_age_seconds", queue="default") < 360


@pytest.mark.django_db(transaction=True)
def test_tasks_run_by_the_worker_are_counted_and_timed(client):
    name = "noop"
    before = sample(scrape(client), "mbe_tasks_finished_total", task=name, status="SUCCESSFUL")
    sample_tasks.noop.enqueue()
    sample_tasks.noop.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    text = scrape(client)
    assert sample(text, "mbe_tasks_finished_total", task=name, status="SUCCESSFUL") == before + 2
    assert sample(text, "mbe_task_duration_seconds_count", task=name) >= 2
    assert sample(text, "mbe_task_queue_depth", queue="default") == 0


def test_other_addresses_need_the_token(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    settings.METRICS_TOKEN = "scrape-secret"
    assert (
        client.get("/metrics", REMOTE_ADDR="192.0.2.7", headers={"Authorization": "Bearer nope"}).status_code
        == 403
    )
    answer = client.get(
        "/metrics", REMOTE_ADDR="192.0.2.7", headers={"Authorization": "Bearer scrape-secret"}
    )
    assert answer.status_code == 200 and b"mbe_task_queue_depth" in answer.content


def test_without_a_token_set_no_bearer_opens_it(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403
