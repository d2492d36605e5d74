"""Held locks: released when released, not once the server gets round to it."""

import pytest

from marketplace.locks import HeldLock, Namespace, lock_held

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_released_lock_is_free_at_once_for_the_next_holder():
    for _ in range(20):
        first = HeldLock(Namespace.IMPORT_COMMIT, 7)
        assert first.acquire()
        assert lock_held(Namespace.IMPORT_COMMIT, 7)
        assert not HeldLock(Namespace.IMPORT_COMMIT, 7).acquire()

        first.release()

        # No wait between: the seller who commits again right after a refusal.
        assert not lock_held(Namespace.IMPORT_COMMIT, 7)
        second = HeldLock(Namespace.IMPORT_COMMIT, 7)
        assert second.acquire()
        second.release()
