"""Several hosts (issue 17): two gunicorn web hosts, two ``db_worker`` hosts and a
client host, each a network namespace with its own address (marketplace/tests/
multihost.py), sharing PostgreSQL, Redis and an S3 server over those networks.

One test, one cluster: a session and a JWT made on one web host work on the other;
rate limits are counted once across both; a 20,000-row import and an OCR scan both
survive their worker being SIGKILLed mid-way; uploads made through one web host are
served by the other from S3; a web host cut off from Redis keeps serving. It prints
the requests each web host served, the tasks each worker ran and the recovery times.
"""

import json
import os
import re
import secrets
import signal
import time
from collections import Counter

import pytest
import requests
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import PASSWORD, UserFactory
from imports.models import Import
from imports.tests.import_files import csv_bytes
from listings.models import Listing
from marketplace.tests import multihost
from marketplace.tests.multihost import ROOT_APP, ROOT_CACHE, Cluster, python, wait_until
from marketplace.tests.s3 import moto_server
from ocr.models import Scan
from ocr.tests import corpus

pytestmark = [pytest.mark.multihost, pytest.mark.django_db(transaction=True)]

IMPORT_ROWS = 20_000
# Counted per user across both hosts (Redis); long enough that no window ends mid-test.
RATE_LIMIT = 30
S3_BUCKET = "multihost-uploads"


def app_env(tmp_path, s3_endpoint: str, secret_key: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"postgres://{db['USER']}@{ROOT_APP}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": f"redis://{ROOT_CACHE}:6379/0",
        "CACHE_KEY_PREFIX": "multihost",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": f"{multihost.APP_NET}.11,{multihost.APP_NET}.12",
        # Plain HTTP inside the test networks; production has TLS in front.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "VAR_DIR": str(tmp_path / "var"),
        "UPLOADS_S3_BUCKET": S3_BUCKET,
        "UPLOADS_S3_ENDPOINT_URL": s3_endpoint,
        "UPLOADS_S3_REGION": "us-east-1",
        "UPLOADS_S3_ACCESS_KEY_ID": "test-access-key",
        "UPLOADS_S3_SECRET_ACCESS_KEY": "test-secret-key",
        "UPLOADS_S3_ADDRESSING_STYLE": "path",
        "RATE_LIMIT_DEFAULT": f"{RATE_LIMIT}/h",
        "METRICS_ALLOWED_IPS": f"{multihost.APP_NET}.0/24",
        "LOG_FORMAT": "json",
        "OCR_PAGE_TIMEOUT_SECONDS": "5",
        "WEB_CONCURRENCY": "2",
    }


def served_by_host(logs, name: str) -> int:
    lines = (logs / f"{name}.log").read_text().splitlines()
    return sum(
        1
        for line in lines
        if line.startswith("{") and json.loads(line).get("logger") == "marketplace.request"
    )


def worker_of(task_id) -> str:
    ids = DBTaskResult.objects.get(pk=task_id).worker_ids
    return ids[-1] if ids else ""


def test_the_app_on_several_hosts(owner, tmp_path, capsys):
    logs = tmp_path / "logs"
    logs.mkdir()
    db = connection.settings_dict
    figures: dict[str, object] = {}
    with Cluster(logs) as cluster:
        webs = [cluster.add_host("web1", 11), cluster.add_host("web2", 12)]
        workers = [cluster.add_host("worker1", 21), cluster.add_host("worker2", 22)]
        client_host = cluster.add_host("client", 31, cache=False)
        relay = f"TCP-LISTEN:{db['PORT'] or 5432},bind={ROOT_APP},fork,reuseaddr"
        cluster.start(
            "postgres-relay",
            ["socat", relay, f"TCP:{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"],
            env={},
        )
        cluster.start(
            "redis",
            # No password: it listens only on the test's own cache network.
            [
                *("redis-server", "--bind", ROOT_CACHE, "--port", "6379", "--protected-mode", "no"),
                "--save",
                "",
            ],
            env={},
        )
        with moto_server(ROOT_APP) as s3, client_host.client() as client:
            s3.client().create_bucket(Bucket=S3_BUCKET)
            env = app_env(tmp_path, s3.endpoint_url, secrets.token_urlsafe(40))
            collect = python("manage.py", "collectstatic", "--noinput", "-v0")
            # With brotli installed whitenoise compresses every file twice: CPU-bound, slow
            # on a loaded machine; the deadline only ends a run that hangs.
            assert cluster.start("collectstatic", collect, env=env).wait(timeout=600) == 0
            processes = {}
            for host in webs:
                gunicorn = python(
                    "-m", "gunicorn", "marketplace.wsgi", "-b", f"{host.address}:8000", "--timeout", "120"
                )
                processes[host.name] = cluster.start(host.name, gunicorn, env=env, host=host)
            for host in workers:
                processes[host.name] = start_worker(cluster, host, env)
            urls = {host.name: f"http://{host.address}:8000" for host in webs}

            def on_client(function, *args):
                return client.submit(function, *args).result()

            for url in urls.values():
                wait_until(lambda url=url: on_client(ready, url), f"{url} ready", seconds=90)
                wait_until(lambda url=url: redis_ok(on_client, url), f"Redis from {url}")

            # --- A session and a JWT from web1 work on web2 --------------------------
            owner.set_password(PASSWORD)
            owner.save()
            cookie = on_client(log_in_with_the_form, urls["web1"], owner.email)
            assert on_client(page_status, urls["web2"], cookie) == 200
            token = on_client(api_token, urls["web1"], owner.email)
            bearer = {"Authorization": f"Bearer {token}"}
            assert on_client(get, f"{urls['web2']}/api/listings/", bearer).status_code == 200

            # --- Rate limits are counted once across both hosts ---------------------
            limited = UserFactory(email="limited@example.com")
            limited_bearer = {"Authorization": f"Bearer {on_client(api_token, urls['web2'], limited.email)}"}
            answers = Counter(
                on_client(get, f"{urls[f'web{1 + n % 2}']}/api/listings/", limited_bearer).status_code
                for n in range(RATE_LIMIT + 10)
            )
            assert answers == {200: RATE_LIMIT, 429: 10}

            # --- A 20,000-row import survives its worker's SIGKILL ------------------
            rows = [
                ["Title", "Price", "Condition"],
                *([f"Lamp {n}", n % 500 + 1, "New"] for n in range(IMPORT_ROWS)),
            ]
            created = on_client(upload, f"{urls['web1']}/api/imports/", bearer, "lamps.csv", csv_bytes(rows))
            import_id = created["id"]
            commit_url = f"{urls['web2']}/api/imports/{import_id}/commit/"
            assert on_client(post_json, commit_url, bearer).status_code == 202
            wait_until(
                lambda: Import.objects.get(pk=import_id).status == Import.Status.COMMITTING,
                "the import committing",
            )
            task = DBTaskResult.objects.filter(task_path="imports.services.commit_import").latest(
                "enqueued_at"
            )
            victim = wait_until(lambda: worker_of(task.pk), "a worker on the import")
            time.sleep(0.5)  # mid-way through the 20,000 rows
            assert Import.objects.get(pk=import_id).status == Import.Status.COMMITTING, "killed too late"
            killed_at = time.monotonic()
            processes[victim].send_signal(signal.SIGKILL)
            processes[victim].wait()
            survivor = next(host for host in workers if host.name != victim)
            # The sweep, as cron runs it on a worker host; then the seller commits again.
            sweep = cluster.start(
                "imports-recover", python("manage.py", "imports_recover"), env=env, host=survivor
            )
            assert sweep.wait(timeout=60) == 0
            failed = Import.objects.get(pk=import_id)
            assert failed.status == Import.Status.FAILED and "worker stopped" in failed.message
            assert Listing.objects.filter(owner=owner).count() == 0  # none, never half
            assert on_client(post_json, commit_url, bearer).status_code == 202
            wait_until(
                lambda: Import.objects.get(pk=import_id).status == Import.Status.COMMITTED,
                "the import committed again",
                seconds=120,
            )
            figures["import recovery (kill → 20,000 listings committed), s"] = round(
                time.monotonic() - killed_at, 1
            )
            assert Listing.objects.filter(owner=owner).count() == IMPORT_ROWS
            processes[victim] = start_worker(cluster, cluster.hosts[victim], env)

            # --- An OCR scan survives the same ------------------------------------
            items = corpus.catalog_items(9)
            pages = [corpus.table_page(items[n : n + 3]) for n in (0, 3, 6)]
            catalog = corpus.pdf_bytes(pages)
            scan_id = on_client(upload, f"{urls['web2']}/api/ocr/scans/", bearer, "catalog.pdf", catalog)[
                "id"
            ]
            wait_until(lambda: Scan.objects.get(pk=scan_id).status == Scan.Status.PROCESSING, "the scan read")
            scan_task = DBTaskResult.objects.filter(task_path="ocr.worker.process_scan").latest("enqueued_at")
            victim = wait_until(lambda: worker_of(scan_task.pk), "a worker on the scan")
            killed_at = time.monotonic()
            processes[victim].send_signal(signal.SIGKILL)
            processes[victim].wait()
            survivor = next(host for host in workers if host.name != victim)

            def swept_and_done() -> bool:
                scan = Scan.objects.get(pk=scan_id)
                if scan.status == Scan.Status.PROCESSING:
                    cluster.start(
                        "ocr-recover", python("manage.py", "ocr_recover"), env=env, host=survivor
                    ).wait(60)
                return scan.status == Scan.Status.COMPLETED

            wait_until(swept_and_done, "the scan read again after the kill", seconds=120)
            figures["OCR recovery (kill → scan completed), s"] = round(time.monotonic() - killed_at, 1)
            scan = Scan.objects.get(pk=scan_id)
            assert (scan.page_count, scan.pages.count(), scan.attempts) == (3, 3, 2)
            processes[victim] = start_worker(cluster, cluster.hosts[victim], env)

            # --- Uploads made through one host are served by the other, from S3 ----
            served = on_client(get, f"{urls['web1']}/ocr/{scan_id}/file/", bearer)
            assert served.status_code == 200 and served.content == catalog
            keys = [item["Key"] for item in s3.client().list_objects_v2(Bucket=S3_BUCKET)["Contents"]]
            assert Scan.objects.get(pk=scan_id).file.name in keys
            upload_file = Import.objects.get(pk=import_id).files.get()
            served = on_client(
                get, f"{urls['web2']}/listings/import/{import_id}/files/{upload_file.pk}/", bearer
            )
            assert served.status_code == 200 and served.content == csv_bytes(rows)

            # --- web1 cut off from Redis keeps serving pages and the API -----------
            cluster.cut_cache(webs[0])
            assert on_client(page_status, urls["web1"], cookie) == 200
            api = on_client(get, f"{urls['web1']}/api/listings/?page_size=5", bearer)
            assert api.status_code == 200 and api.json()["count"] == IMPORT_ROWS
            health = on_client(get, f"{urls['web1']}/api/health/", {})
            assert health.json()["cache"]["ok"] is False and health.status_code == 200
            assert on_client(get, f"{urls['web1']}/api/health/ready/", {}).status_code == 200
            # web2 still has Redis (a 1 s socket timeout can trip on a loaded machine: retried).
            wait_until(lambda: redis_ok(on_client, urls["web2"]), "Redis from web2", seconds=30)

            metrics = on_client(get, f"{urls['web2']}/metrics", {}).text
            assert re.search(r"^mbe_task_queue_depth\{queue=\"default\"\} 0\.0$", metrics, re.M)

        for name in urls:
            figures[f"requests served by {name}"] = served_by_host(logs, name)
        for worker, count in sorted(
            Counter(worker_of(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)).items()
        ):
            figures[f"tasks run by {worker or '(none)'}"] = count
    with capsys.disabled():
        print("\nmulti-host figures:")
        for name, value in figures.items():
            print(f"  {name}: {value}")


def test_unplugging_a_host_leaves_the_bridges_where_they_are(tmp_path):
    """The other hosts keep reaching the root's address: the bridge's MAC behind it is
    fixed, not its lowest port's (which an unplug would change under their ARP caches)."""

    def mac(bridge: str) -> str:
        return multihost.ip("-br", "link", "show", bridge).stdout.split()[2]

    with Cluster(tmp_path) as cluster:
        hosts = [cluster.add_host(f"h{number}", number) for number in (41, 42, 43)]
        bridges = {f"{multihost.PREFIX}-app": multihost.APP_BRIDGE_MAC}
        bridges[f"{multihost.PREFIX}-cache"] = multihost.CACHE_BRIDGE_MAC
        assert {bridge: mac(bridge) for bridge in bridges} == bridges
        for host in hosts[:2]:
            cluster.cut_cache(host)
            assert mac(f"{multihost.PREFIX}-cache") == multihost.CACHE_BRIDGE_MAC


def start_worker(cluster: Cluster, host, env):
    argv = python("manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")
    return cluster.start(host.name, [*argv, "--worker-id", host.name], env=env, host=host)


# --- What the client host does (each call runs in its namespace's thread) ----------


def redis_ok(on_client, url: str) -> bool:
    return on_client(get, f"{url}/api/health/", {}).json()["cache"]["ok"] is True


def ready(url: str) -> bool:
    return requests.get(f"{url}/api/health/ready/", timeout=5).status_code == 200


def get(url: str, headers: dict) -> requests.Response:
    return requests.get(url, headers=headers, timeout=60)


def post_json(url: str, headers: dict) -> requests.Response:
    return requests.post(url, json={}, headers=headers, timeout=60)


def upload(url: str, headers: dict, name: str, data: bytes) -> dict:
    response = requests.post(url, files={"file": (name, data)}, headers=headers, timeout=120)
    assert response.status_code == 201, response.text
    return response.json()


def api_token(url: str, email: str) -> str:
    response = requests.post(
        f"{url}/api/auth/login/", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def log_in_with_the_form(url: str, email: str) -> str:
    """The session cookie of a log-in through the HTML form."""
    browser = requests.Session()
    form = browser.get(f"{url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = browser.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf, "username": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser.cookies[settings.SESSION_COOKIE_NAME]


def page_status(url: str, session_cookie: str) -> int:
    response = requests.get(
        f"{url}/listings/",
        cookies={settings.SESSION_COOKIE_NAME: session_cookie},
        allow_redirects=False,
        timeout=60,
    )
    return response.status_code
