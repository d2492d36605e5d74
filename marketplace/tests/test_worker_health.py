"""``manage.py worker_health``, the worker container's healthcheck."""

import pytest
from django.core.management import call_command

from marketplace.management.commands.worker_health import worker_running
from marketplace.tests.worker_process import WorkerProcess, wait_for


def fake_proc(tmp_path, *commands: list[str]):
    for pid, argv in enumerate(commands, start=1):
        (tmp_path / str(pid)).mkdir(parents=True)
        (tmp_path / str(pid) / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    return tmp_path


def test_a_worker_is_told_from_other_processes(tmp_path):
    web = ["python", "-m", "gunicorn", "marketplace.wsgi"]
    assert not worker_running(fake_proc(tmp_path / "a", web, ["grep", "db_worker"]))
    assert worker_running(fake_proc(tmp_path / "b", web, ["python", "/app/manage.py", "db_worker"]))


@pytest.mark.django_db(transaction=True)
def test_healthy_while_a_worker_runs_and_the_database_answers(capsys):
    with WorkerProcess():
        wait_for(worker_running, "the worker to start")
        call_command("worker_health")
        assert "db_worker running, database answering." in capsys.readouterr().out
