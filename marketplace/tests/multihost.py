"""Hosts made of Linux network namespaces on this machine, for the multi-host test.

Two bridges in the root namespace, each host joined to them by veth pairs:

- the app network (``APP_NET``.0/24): the root namespace is ``.1`` and serves
  PostgreSQL there (a socat relay to this machine's server, which listens on
  127.0.0.1 only) and the S3 server; web, worker and client hosts have their own
  addresses;
- the cache network (``CACHE_NET``.0/24): only Redis (a redis-server of the test's
  own, on ``.1``), so deleting a host's cache veth cuts Redis off that host and
  nothing else.

Everything made here is named with ``PREFIX``; ``Cluster`` removes it all when its
block ends (processes first, then namespaces and bridges), and removes what a killed
earlier run left before it starts. Needs root and iproute2.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PREFIX = "mbeh"
APP_NET = "10.213.17"
CACHE_NET = "10.213.18"
ROOT_APP = f"{APP_NET}.1"
ROOT_CACHE = f"{CACHE_NET}.1"
# A bridge without an address of its own takes its lowest port's, so unplugging that
# host (``cut_cache``) would change the MAC behind the bridge's IP: the other hosts'
# ARP entries then point nowhere until they expire (up to a minute, past the test's
# waits). Fixed, locally administered addresses keep the bridges where they are.
APP_BRIDGE_MAC = "02:00:0a:d5:11:01"
CACHE_BRIDGE_MAC = "02:00:0a:d5:12:01"
_CLONE_NEWNET = 0x40000000


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def remove_leftovers() -> None:
    """Whatever an earlier run (killed before its clean-up) left with our prefix."""
    for line in ip("netns", "list").stdout.splitlines():
        namespace = line.split()[0]
        if namespace.startswith(f"{PREFIX}-"):
            for pid in ip("netns", "pids", namespace, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            ip("netns", "del", namespace, check=False)
    for line in ip("-o", "link", "show").stdout.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(PREFIX):
            ip("link", "del", name, check=False)


class Host:
    def __init__(self, name: str, number: int) -> None:
        self.name = name
        self.namespace = f"{PREFIX}-{name}"
        self.address = f"{APP_NET}.{number}"
        self.cache_address = f"{CACHE_NET}.{number}"
        self.cache_link = f"{PREFIX}c{name}"[:15]

    def command(self, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, *argv]

    def client(self) -> ThreadPoolExecutor:
        """One thread living in this host's network namespace: what it connects to
        leaves from this host's address."""

        def enter() -> None:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{self.namespace}", os.O_RDONLY)
            try:
                if libc.setns(fd, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns failed")
            finally:
                os.close(fd)

        return ThreadPoolExecutor(max_workers=1, initializer=enter)


class Cluster:
    """The bridges, the hosts and every process started on them."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.hosts: dict[str, Host] = {}
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> "Cluster":
        remove_leftovers()
        try:
            bridges = (
                (f"{PREFIX}-app", ROOT_APP, APP_BRIDGE_MAC),
                (f"{PREFIX}-cache", ROOT_CACHE, CACHE_BRIDGE_MAC),
            )
            for bridge, address, mac in bridges:
                ip("link", "add", bridge, "address", mac, "type", "bridge")
                ip("addr", "add", f"{address}/24", "dev", bridge)
                ip("link", "set", bridge, "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def add_host(self, name: str, number: int, *, cache: bool = True) -> Host:
        host = Host(name, number)
        ip("netns", "add", host.namespace)
        self.hosts[name] = host
        ip("-n", host.namespace, "link", "set", "lo", "up")
        links = [(f"{PREFIX}a{name}"[:15], "eth0", host.address, f"{PREFIX}-app")]
        if cache:
            links.append((host.cache_link, "eth1", host.cache_address, f"{PREFIX}-cache"))
        for outside, inside, address, bridge in links:
            ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", host.namespace)
            ip("link", "set", outside, "master", bridge, "up")
            ip("-n", host.namespace, "addr", "add", f"{address}/24", "dev", inside)
            ip("-n", host.namespace, "link", "set", inside, "up")
        return host

    def cut_cache(self, host: Host) -> None:
        """Unplug the host from the cache network: Redis is gone for it, nothing else."""
        ip("link", "del", host.cache_link)

    def start(
        self, name: str, argv: list[str], *, env: dict[str, str], host: Host | None = None
    ) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            host.command(*argv) if host else argv,
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def __exit__(self, *exc_info) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        give_up = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, give_up - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        remove_leftovers()


def wait_until(condition: Callable[[], object], what: str, seconds: float = 60) -> object:
    give_up = time.monotonic() + seconds
    while True:
        try:
            value = condition()
        except Exception as exc:  # a server still starting refuses connections
            value = exc
        if value and not isinstance(value, Exception):
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for {what} (last: {value!r})")
        time.sleep(0.2)


def python(*argv: str) -> list[str]:
    return [sys.executable, *argv]
