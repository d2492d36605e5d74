"""An import whose worker is killed mid-commit: nothing written, marked failed by the
sweep, and committed on the next try."""

import pytest
from django.core.management import call_command

from imports import services
from imports.models import Import
from imports.tests.import_files import csv_bytes, upload
from listings.models import Listing
from marketplace.tests.worker_process import TableBlocker, WorkerProcess, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def run_worker_until_idle() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_mid_commit_is_marked_failed_then_commits(owner, settings):
    settings.IMPORT_BACKGROUND_ROWS = 10
    rows = [["Title", "Price", "Condition"], *[[f"Chair {i}", 10 + i, "New"] for i in range(40)]]
    upload_ = services.import_create(owner=owner, files=[upload("chairs.csv", csv_bytes(rows))])
    with TableBlocker("listings_listing") as blocker, WorkerProcess(IMPORT_BACKGROUND_ROWS="10") as worker:
        assert services.import_request_commit(upload=upload_, actor=owner).status == Import.Status.QUEUED
        wait_for(blocker.someone_waits, "the worker to reach its first listing write")
        upload_.refresh_from_db()
        assert upload_.status == Import.Status.COMMITTING
        assert services.imports_recover_stuck() == 0  # a live committer is left alone
        worker.kill()
        wait_for(lambda: services.imports_recover_stuck() == 1, "the sweep to see the dead committer")
    upload_.refresh_from_db()
    assert upload_.status == Import.Status.FAILED
    assert upload_.message == services.STOPPED_WHILE_COMMITTING
    assert not Listing.objects.exists()  # the dead worker's transaction wrote nothing

    # The seller commits again, and this time it goes through.
    assert services.import_request_commit(upload=upload_, actor=owner).status == Import.Status.QUEUED
    run_worker_until_idle()
    upload_.refresh_from_db()
    assert upload_.status == Import.Status.COMMITTED
    assert Listing.objects.filter(owner=owner).count() == 40
