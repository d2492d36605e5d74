"""How fast one PostgreSQL task queue (django-tasks-db) hands out tasks: N tasks that
do nothing, taken by 1, 2 and 4 ``manage.py db_worker`` processes at once. The rate
is tasks finished per second between the first start and the last finish (so worker
start-up is not counted), read from the task table. Prints figures; asserts nothing.

    python bench/task_queue.py   # database mbe_task_queue_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/task_queue.py   # 100 tasks per run
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _setup import SMOKE, ensure_database, summary, use_bench_database  # noqa: E402

database_url = use_bench_database("task_queue")
TASKS = 100 if SMOKE else 1000
WORKER_COUNTS = (1, 2, 4)

ensure_database("bench/task_queue.py")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from marketplace.tests.sample_tasks import noop  # noqa: E402

call_command("migrate", verbosity=0)


def run(workers: int) -> tuple[float, float]:
    DBTaskResult.objects.all().delete()
    started = time.perf_counter()
    for _ in range(TASKS):
        noop.enqueue()
    enqueue_rate = TASKS / (time.perf_counter() - started)
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    argv = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
        "-v",
        "0",
    ]
    processes = [
        subprocess.Popen([*argv, "--worker-id", f"bench{n}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for n in range(workers)
    ]
    for process in processes:
        process.wait()
    done = DBTaskResult.objects.filter(status="SUCCESSFUL")
    assert done.count() == TASKS, f"{done.count()} of {TASKS} tasks ran"
    span = done.aggregate(first=Min("started_at"), last=Max("finished_at"))
    return enqueue_rate, TASKS / (span["last"] - span["first"]).total_seconds()


print(f"{TASKS} tasks that do nothing, one PostgreSQL queue (load {os.getloadavg()[0]:.1f}):")
print(f"{'workers':>8}  {'enqueued/s':>10}  {'handed out and finished/s':>26}")
rates = {}
for workers in WORKER_COUNTS:
    enqueue_rate, rates[workers] = run(workers)
    print(f"{workers:>8}  {enqueue_rate:>10.0f}  {rates[workers]:>26.0f}")
DBTaskResult.objects.all().delete()
summary("task queue: no-op tasks handed out per second, 2 workers", rates[2], unit="tasks/s")
