"""Scans and imports survive a Redis outage and a worker killed mid-task."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from listings.importing import services as imports
from listings.models import Import, Listing
from listings.tests.import_files import csv_bytes
from listings.tests.import_files import upload as import_upload
from marketplace.tests.worker_process import TableBlocker, WorkerProcess, wait_for
from ocr import services
from ocr.locks import scan_lock_held
from ocr.models import Scan
from ocr.tests import catalogs
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
        owner=owner, upload=upload("two.png", catalogs.png_bytes(catalogs.table_page(items[:2])))
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
        owner=owner, upload=upload("three.png", catalogs.png_bytes(catalogs.table_page(items[:3])))
    )
    with TableBlocker("ocr_scanpage") as blocker, WorkerProcess() as worker:
        # The worker has the scan and waits to store its first page.
        wait_for(blocker.someone_waits, "the worker to reach its first page write")
        scan.refresh_from_db()
        assert (scan.status, scan.attempts) == (Scan.Status.PROCESSING, 1)
        assert scan_lock_held(scan.pk)
        worker.kill()
        # PostgreSQL ends the dead process's sessions, and its lock with them.
        wait_for(lambda: not scan_lock_held(scan.pk), "the dead worker's lock to end")
    scan.refresh_from_db()
    assert scan.status == Scan.Status.PROCESSING  # what the dead worker left

    # Later (past the heartbeat's grace), the sweep queues it again; a worker reads it.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert services.recover_stale_scans() == 1
    scan.refresh_from_db()
    assert scan.status == Scan.Status.PENDING
    assert scan.error == "The worker stopped while reading this file; trying again."
    run_worker_until_idle()
    scan.refresh_from_db()
    assert (scan.status, scan.attempts, scan.items_found) == (Scan.Status.COMPLETED, 2, 3)


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_mid_commit_is_marked_failed_then_commits(owner, settings):
    settings.IMPORT_BACKGROUND_ROWS = 10
    rows = [["Title", "Price", "Condition"], *[[f"Chair {i}", 10 + i, "New"] for i in range(40)]]
    upload_ = imports.import_create(owner=owner, files=[import_upload("chairs.csv", csv_bytes(rows))])
    with TableBlocker("listings_listing") as blocker, WorkerProcess(IMPORT_BACKGROUND_ROWS="10") as worker:
        assert imports.import_request_commit(upload=upload_, actor=owner).status == Import.Status.QUEUED
        wait_for(blocker.someone_waits, "the worker to reach its first listing write")
        upload_.refresh_from_db()
        assert upload_.status == Import.Status.COMMITTING
        assert imports.imports_recover_stuck() == 0  # a live committer is left alone
        worker.kill()
        wait_for(lambda: imports.imports_recover_stuck() == 1, "the sweep to see the dead committer")
    upload_.refresh_from_db()
    assert upload_.status == Import.Status.FAILED
    assert upload_.message == imports.STOPPED_WHILE_COMMITTING
    assert not Listing.objects.exists()  # the dead worker's transaction wrote nothing

    # The seller commits again, and this time it goes through.
    assert imports.import_request_commit(upload=upload_, actor=owner).status == Import.Status.QUEUED
    run_worker_until_idle()
    upload_.refresh_from_db()
    assert upload_.status == Import.Status.COMMITTED
    assert Listing.objects.filter(owner=owner).count() == 40
