"""One worker per scan: a PostgreSQL advisory lock held on a connection of its own
(``marketplace.locks.HeldLock``). It needs no Redis, and it ends the moment its
holder's process dies, so ``recover_stale_scans`` never waits for an expiry."""

from marketplace.locks import HeldLock, Namespace, lock_held


class ScanLock(HeldLock):
    def __init__(self, scan_id: int) -> None:
        super().__init__(Namespace.OCR_SCAN, scan_id)

    def refresh(self) -> None:
        """After each page: stop if the lock was lost with its connection, since
        another worker may now be reading this scan."""
        if not self.held():
            raise ScanLockLost("The scan lock was lost (database connection dropped).")


class ScanLockLost(Exception):
    pass


def scan_lock_held(scan_id: int) -> bool:
    return lock_held(Namespace.OCR_SCAN, scan_id)
