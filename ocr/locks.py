"""One worker per scan: a lock in the cache that expires if its holder dies.

With Redis (production) this is django-redis' ``cache.lock``; the in-process
cache used in development has no locks, so there it is an ``add``-based token.
"""

import uuid

from django.core.cache import cache


def _key(scan_id: int) -> str:
    return f"ocr:scan-lock:{scan_id}"


class ScanLock:
    def __init__(self, scan_id: int, *, timeout: int) -> None:
        self.key = _key(scan_id)
        self.timeout = timeout
        self._token = uuid.uuid4().hex
        self._redis_lock = (
            cache.lock(self.key, timeout=timeout, thread_local=False) if hasattr(cache, "lock") else None
        )

    def acquire(self) -> bool:
        if self._redis_lock is not None:
            return bool(self._redis_lock.acquire(blocking=False))
        return cache.add(self.key, self._token, self.timeout)

    def refresh(self) -> None:
        """Push the expiry ``timeout`` seconds ahead again (after each page)."""
        if self._redis_lock is not None:
            self._redis_lock.reacquire()
        elif cache.get(self.key) == self._token:
            cache.touch(self.key, self.timeout)

    def release(self) -> None:
        if self._redis_lock is not None:
            if self._redis_lock.owned():
                self._redis_lock.release()
        elif cache.get(self.key) == self._token:
            cache.delete(self.key)


def scan_lock_held(scan_id: int) -> bool:
    return cache.has_key(_key(scan_id))
