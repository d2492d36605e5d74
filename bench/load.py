"""Under load: 50 sellers' browsers at once for 60 s against gunicorn started with the
Docker command's settings (3 sync workers, DEBUG off), on loopback, over one account
of 100,000 listings. The users (``bench/_load_users.py``, run by locust headless)
page, sort and search the grid, save cells and bulk-set ticked rows. Prints p50 and
p99 per kind of request and the error count (target: 0). Asserts nothing.

    python bench/load.py               # database mbe_load_bench on DATABASE_URL's server
    BENCH_SMOKE=1 python bench/load.py      # 1,000 listings, 3 users for 5 s

Every process started here (gunicorn, locust) is bounded in time and stopped at the
end; the server listens on a free port of 127.0.0.1 only.
"""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
from _setup import SMOKE, build_account, ensure_database, rows, summary, use_bench_database

# The server and this process sign sessions and tokens with the same key.
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)

use_bench_database("load")
HERE = Path(__file__).resolve().parent
ROWS = rows(100_000)
USERS, SECONDS = (3, 5) if SMOKE else (50, 60)
EMAIL = "bench-load@example.com"
# The Docker command (Dockerfile CMD), bound to loopback instead of 0.0.0.0.
WORKERS = 3
SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # Fifty users of one account would trip the per-user limits: not what is measured.
    "RATELIMIT_ENABLE": "0",
}

ensure_database("bench/load.py")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from listings.models import Listing  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/health/", timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def main() -> None:
    user = build_account(email=EMAIL, rows=ROWS, seed=21)
    browser = Client()
    browser.force_login(user)
    ids = list(Listing.objects.filter(owner=user).order_by("id").values_list("id", flat=True))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as workdir:
        work = Path(workdir)
        (work / "ids.json").write_text(json.dumps(ids))
        env = {
            **os.environ,
            **SERVER_ENV,
            "STATIC_ROOT": str(work / "static"),
            "LOAD_SESSION": browser.cookies["sessionid"].value,
            "LOAD_CSRF": secrets.token_hex(16),
            "LOAD_TOKEN": str(RefreshToken.for_user(user).access_token),
            "LOAD_IDS_FILE": str(work / "ids.json"),
        }
        # DEBUG off serves static files from the manifest collectstatic writes.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=HERE.parent,
            env=env,
            check=True,
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = work / "gunicorn.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "marketplace.wsgi:application", "--bind",
                 f"127.0.0.1:{port}", "--workers", str(WORKERS)],
                cwd=HERE.parent, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_until_up(url, server, log)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(HERE / "_load_users.py"), "--headless",
                 "--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s",
                 "--stop-timeout", "10", "--host", url, "--csv", str(work / "load"), "--only-summary",
                 "--loglevel", "WARNING"],
                env=env, timeout=SECONDS + 60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                check=False,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            load = os.getloadavg()[0]
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        with (work / "load_stats.csv").open() as stats:
            lines = list(csv.DictReader(stats))
        failures = (work / "load_failures.csv").read_text()
        server_log = log.read_text()

    print(
        f"\n{USERS} users for {SECONDS} s ({elapsed:.0f} s wall) against gunicorn, {WORKERS} workers, "
        f"on {ROWS:,} listings"
    )
    print(f"{'request':<36}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    errors = 0
    for line in lines:
        name = "all requests" if line["Name"] == "Aggregated" else line["Name"]
        errors += int(line["Failure Count"]) if line["Name"] != "Aggregated" else 0
        print(
            f"{name:<36}{int(line['Request Count']):>8,}{int(line['Failure Count']):>8}"
            f"{float(line['50%']):>9.0f}{float(line['99%']):>9.0f}{float(line['Requests/s']):>8.1f}"
        )
        if line["Name"] != "Aggregated":
            summary(f"load {USERS} users: {name} p99", float(line["99%"]), unit="ms")
    print(f"errors: {errors} (target 0)")
    if errors:
        print(failures)
        print(f"gunicorn's log (end):\n{server_log[-3000:]}")
    summary(f"load {USERS} users x {SECONDS} s: errors", errors, unit="")
    print(f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
