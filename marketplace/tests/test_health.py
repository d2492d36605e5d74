import json

import pytest
from django.conf import settings
from django.db import connection

from marketplace.tests.test_settings import run_django

HEALTH_IN_SUBPROCESS = (
    "import json, django; django.setup(); from django.test import Client; "
    "r = Client().get('/api/health/', HTTP_HOST='127.0.0.1'); "
    "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
)


@pytest.mark.django_db
def test_health_reports_every_part(client):
    response = client.get("/api/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["cache"]["ok"] is True
    assert body["tasks"] == {"ok": True, "pending": 0}
    assert body["version"] == settings.APP_VERSION
    assert set(body) == {"status", "version", "database", "cache", "ocr", "tasks"}


@pytest.mark.django_db
def test_health_reports_tesseract_when_installed(client):
    import shutil

    body = client.get("/api/health/").json()
    assert body["ocr"]["available"] is bool(shutil.which("tesseract"))
    if body["ocr"]["available"]:
        assert body["ocr"]["tesseract_version"][0].isdigit()


@pytest.mark.django_db
def test_health_counts_pending_tasks(client):
    from marketplace.tests import sample_tasks

    sample_tasks.noop.enqueue()
    assert client.get("/api/health/").json()["tasks"]["pending"] == 1


def _health_with(env, tmp_path):
    result = run_django(HEALTH_IN_SUBPROCESS, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_health_is_503_when_the_database_is_down(tmp_path):
    # A real PostgreSQL client pointed at a port where nothing listens.
    answer = _health_with({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"}, tmp_path)
    assert answer["status"] == 503
    assert answer["body"]["status"] == "down"
    assert answer["body"]["database"]["ok"] is False


def test_health_reports_the_cache_down_but_stays_200(tmp_path):
    answer = _health_with({"REDIS_URL": "redis://127.0.0.1:1/0"}, tmp_path)
    assert answer["status"] == 200
    assert answer["body"]["status"] == "degraded"
    assert answer["body"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_liveness_and_readiness_for_load_balancers(client):
    live = client.get("/api/health/live/")
    assert (live.status_code, live.json()["status"]) == (200, "alive")
    ready = client.get("/api/health/ready/")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


PROBES_IN_SUBPROCESS = (
    "import json, django; django.setup(); from django.test import Client; c = Client(); "
    "print(json.dumps({p: c.get(f'/api/health/{p}', HTTP_HOST='127.0.0.1').status_code "
    "for p in ('live/', 'ready/', '')}))"
)


def test_without_the_database_it_is_alive_but_not_ready(tmp_path):
    result = run_django(
        PROBES_IN_SUBPROCESS, {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"live/": 200, "ready/": 503, "": 503}


def test_without_redis_it_stays_ready(tmp_path):
    result = run_django(PROBES_IN_SUBPROCESS, {"REDIS_URL": "redis://127.0.0.1:1/0"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"live/": 200, "ready/": 200, "": 200}
