"""A real ``manage.py db_worker`` in a child process, against the test database, that
a test can kill with SIGKILL mid-task (what the OOM killer or a lost host does)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable[[], bool], what: str, deadline_seconds: float = 120) -> None:
    """Poll until ``condition`` holds; a generous deadline only so a broken run ends."""
    give_up = time.monotonic() + deadline_seconds
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


class WorkerProcess:
    def __init__(self, **env: str) -> None:
        child_env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **env,
        }
        # --no-reload: with the autoreloader the worker would be a grandchild that
        # SIGKILL on this process leaves running.
        command = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
        self.process = subprocess.Popen(
            [sys.executable, *command],
            cwd=BASE_DIR,
            env=child_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> "WorkerProcess":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.kill()


class TableBlocker:
    """Hold ``LOCK TABLE ... IN EXCLUSIVE MODE`` from a connection of its own, so a
    worker that reaches its first write to the table waits there, at a known point."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.conn = psycopg.connect(database_url())

    def __enter__(self) -> "TableBlocker":
        self.conn.execute(f"LOCK TABLE {self.table} IN EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc_info) -> None:
        self.conn.rollback()
        self.conn.close()

    def someone_waits(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = %s AND NOT l.granted)",
                [self.table],
            )
            return cursor.fetchone()[0]
