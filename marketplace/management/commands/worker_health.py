from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def worker_running(proc: Path = Path("/proc")) -> bool:
    """Is a ``manage.py db_worker`` process running here (Linux: its command lines)?"""
    for cmdline in proc.glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:  # the process ended while we looked
            continue
        if b"db_worker" in argv and any(arg.endswith(b"manage.py") for arg in argv):
            return True
    return False


class Command(BaseCommand):
    help = "The worker container's healthcheck: a db_worker runs here and the database answers."

    def handle(self, *args, **options) -> None:
        if not worker_running():
            raise CommandError("No db_worker process is running here.")
        try:
            connection.ensure_connection()
        except Exception as exc:
            raise CommandError(f"The database does not answer: {exc.__class__.__name__}") from None
        self.stdout.write("db_worker running, database answering.")
