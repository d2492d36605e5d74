"""Structured logs: one JSON line per request; its id in the task's logs and audit rows."""

import io
import json
import logging

import pytest
from django.core.management import call_command
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from audit.models import AuditEntry
from imports.tests.import_files import csv_bytes, upload
from marketplace.logs import RequestIdFilter
from marketplace.requests import current_request_id


@pytest.fixture
def json_lines(settings):
    """The root logger's records as the production JSON formatter writes them."""
    stream = io.StringIO()
    formatter = settings.LOGGING["formatters"]["json"]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(formatter["fmt"], rename_fields=formatter["rename_fields"]))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id(client, owner, json_lines):
    client.force_login(owner)
    response = client.get("/api/health/live/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in json_lines() if line["logger"] == "marketplace.request"]
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"], line["user_id"]) == (
        "GET",
        "/api/health/live/",
        200,
        owner.pk,
    )
    assert line["level"] == "INFO" and line["message"] == "request" and line["duration_ms"] >= 0
    assert current_request_id.get() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("lb-7f3a9c21-0001", True), ("short", False), ("x" * 65, False), ("a b\nc: forged-log-line", False)],
)
def test_an_incoming_request_id_is_kept_only_if_it_is_safe(client, incoming, kept):
    answered = client.get("/api/health/live/", headers={"X-Request-ID": incoming})["X-Request-ID"]
    assert (answered == incoming) is kept


@pytest.mark.django_db(transaction=True)
def test_the_request_id_reaches_the_task_logs_and_the_audit_rows(owner, settings, json_lines):
    settings.IMPORT_BACKGROUND_ROWS = 10
    api = APIClient()
    api.force_authenticate(owner)
    rows = [["Title", "Price"], *[[f"Lamp {n}", n + 1] for n in range(20)]]
    created = api.post(
        "/api/imports/", {"file": upload("lamps.csv", csv_bytes(rows))}, format="multipart"
    ).json()
    queued = api.post(
        f"/api/imports/{created['id']}/commit/",
        {},
        format="json",
        headers={"X-Request-ID": "commit-0000000042"},
    )
    assert queued.status_code == 202
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    entries = AuditEntry.objects.filter(object_type="listings.listing")
    assert entries.count() == 20
    assert set(entries.values_list("request_id", flat=True)) == {"commit-0000000042"}
    task_lines = [line for line in json_lines() if line["logger"] == "marketplace.tasks"]
    assert [line["message"] for line in task_lines] == ["task started", "task finished"]
    assert {line["request_id"] for line in task_lines} == {"commit-0000000042"}
    assert (
        task_lines[1]["status"] == "SUCCESSFUL" and task_lines[1]["task"] == "imports.services.commit_import"
    )
