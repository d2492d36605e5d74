"""Locks kept in the database, so they hold with Redis down and end with their holder.

Two kinds, both PostgreSQL advisory locks keyed by (namespace, id):

- ``transaction_lock``: serialises a transaction against others with the same key
  (``pg_advisory_xact_lock``); it ends with the transaction, commit or rollback.
- ``HeldLock``: "one worker at a time" for work that spans many transactions (an OCR
  scan read page by page, an import commit). It lives on a connection of its own, so
  it is not re-entered by the same thread and not ended by the caller's transactions;
  if the process dies, PostgreSQL closes that connection and drops the lock at once,
  which is how the stuck-work sweeps tell a dead worker from a busy one.

SQLite (development only) has no advisory locks: its write transactions are
serialised already (``transaction_mode=IMMEDIATE``), and a held lock falls back to
one kept in this process, enough for ``make run``'s single worker.
"""

import threading
from enum import IntEnum

from django.db import DEFAULT_DB_ALIAS, connection, connections


class Namespace(IntEnum):
    """The first half of every advisory key, so different things never share a lock."""

    OCR_SCAN = 1
    IMPORT_COMMIT = 2
    LISTINGS_OWNER = 3


def _key(namespace: Namespace, ident: int) -> tuple[int, int]:
    # The two-int form: ids are folded into a signed 32-bit int. Two ids 2**32 apart
    # would share a lock, which only serialises them.
    folded = ident & 0xFFFFFFFF
    return int(namespace), folded - (1 << 32) if folded >= 1 << 31 else folded


def _postgres(conn=connection) -> bool:
    return conn.vendor == "postgresql"


def transaction_lock(namespace: Namespace, ident: int) -> None:
    """Wait for, then hold until the end of the current transaction, the lock on
    ``(namespace, ident)``. Call inside ``transaction.atomic``."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", _key(namespace, ident))


_local_held: set[tuple[int, int]] = set()
_local_guard = threading.Lock()

_HELD_BY_ME = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = %s::int::oid AND objid = %s::int::oid AND objsubid = 2{pid})"
)


class LockBusy(Exception):
    """Another live process holds the lock."""


class HeldLock:
    """Try once to take ``(namespace, ident)``; hold it across transactions until
    ``release``. As a context manager it raises ``LockBusy`` when the lock is taken."""

    def __init__(self, namespace: Namespace, ident: int) -> None:
        self.key = _key(namespace, ident)
        self._conn = None  # the lock's own connection while held (PostgreSQL)
        self._local = False  # held in this process (SQLite)

    def acquire(self) -> bool:
        if not _postgres():
            with _local_guard:
                self._local = self.key not in _local_held
                _local_held.add(self.key)
            return self._local
        default = connections[DEFAULT_DB_ALIAS]
        conn = type(default)(dict(default.settings_dict), alias=DEFAULT_DB_ALIAS)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", self.key)
            taken = cursor.fetchone()[0]
        if taken:
            self._conn = conn
        else:
            conn.close()
        return taken

    def held(self) -> bool:
        """Whether this holder still has the lock (its connection may have dropped)."""
        if self._conn is None:
            return self._local
        try:
            with self._conn.cursor() as cursor:
                cursor.execute(_HELD_BY_ME.format(pid=" AND pid = pg_backend_pid()"), self.key)
                return cursor.fetchone()[0]
        except Exception:  # any driver error: the connection is gone, and the lock with it
            return False

    def release(self) -> None:
        if self._local:
            with _local_guard:
                _local_held.discard(self.key)
            self._local = False
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                # Released now: a closed session's locks go only once its server
                # process has ended, which may be after the next caller asks.
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", self.key)
            except Exception:  # noqa: S110 (the connection is gone, and the lock with it)
                pass
            finally:
                conn.close()

    def __enter__(self) -> "HeldLock":
        if not self.acquire():
            raise LockBusy(self.key)
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def lock_held(namespace: Namespace, ident: int) -> bool:
    """Whether any live session (or, on SQLite, this process) holds the lock."""
    key = _key(namespace, ident)
    if not _postgres():
        return key in _local_held
    with connection.cursor() as cursor:
        cursor.execute(_HELD_BY_ME.format(pid=""), key)
        return cursor.fetchone()[0]
