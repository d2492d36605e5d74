"""Scans survive a Redis outage and a worker killed mid-page."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from marketplace.tests.worker_process import TableBlocker, WorkerProcess, wait_for
from ocr import services, worker
from ocr.locks import scan_lock_held
from ocr.models import Scan
from ocr.tests import corpus
from ocr.tests.conftest import upload

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def run_worker_until_idle() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.fixture
def redis_down():
    # A closed port, as in accounts/tests/test_redis_down.py.
    cache = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": cache}):
        yield


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_scans_are_read_and_read_again_with_redis_down(redis_down, owner, items):
    scan = services.scan_create(
        owner=owner, upload=upload("two.png", corpus.png_bytes(corpus.table_page(items[:2])))
    )
    run_worker_until_idle()
    scan.refresh_from_db()
    assert (scan.status, scan.attempts, scan.items_found) == (Scan.Status.COMPLETED, 1, 2)

    # "Read again" on a page, still without Redis.
    services.page_rerun(page=scan.pages.get(number=1), actor=owner)
    run_worker_until_idle()
    scan.refresh_from_db()
    assert (scan.status, scan.items_found) == (Scan.Status.COMPLETED, 2)


@pytest.mark.django_db(transaction=True)
def test_a_scan_whose_worker_is_killed_mid_page_is_swept_and_read(owner, items):
    scan = services.scan_create(
        owner=owner, upload=upload("three.png", corpus.png_bytes(corpus.table_page(items[:3])))
    )
    with TableBlocker("ocr_scanpage") as blocker, WorkerProcess() as worker_process:
        # The worker has the scan and waits to store its first page.
        wait_for(blocker.someone_waits, "the worker to reach its first page write")
        scan.refresh_from_db()
        assert (scan.status, scan.attempts) == (Scan.Status.PROCESSING, 1)
        assert scan_lock_held(scan.pk)
        worker_process.kill()
        # PostgreSQL ends the dead process's sessions, and its lock with them.
        wait_for(lambda: not scan_lock_held(scan.pk), "the dead worker's lock to end")
    scan.refresh_from_db()
    assert scan.status == Scan.Status.PROCESSING  # what the dead worker left

    # Later (past the heartbeat's grace), the sweep queues it again; a worker reads it.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert worker.recover_stale_scans() == 1
    scan.refresh_from_db()
    assert scan.status == Scan.Status.PENDING
    assert scan.error == "The worker stopped while reading this file; trying again."
    run_worker_until_idle()
    scan.refresh_from_db()
    assert (scan.status, scan.attempts, scan.items_found) == (Scan.Status.COMPLETED, 2, 3)
