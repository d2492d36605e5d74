"""Run calls at the same moment on real threads, each with its own database connection,
for the concurrency tests (they need ``transactional_db``: rows must be committed for
another connection to see them)."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at once (a barrier) and return their results in order; an
    exception a call raised is returned in its place, so the test can assert on it."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(position: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[position] = call()
        except BaseException as exc:  # reported to the test, not lost in the thread
            results[position] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
