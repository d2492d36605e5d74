"""The process's memory during a large write. The changeset engine
(``listings.services.changes.changes_apply``, every door's write) and an import's
check of its rows (``imports.rows.check_import``) run with the cycle collector paused."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off for the block, and as it was after it.

    A 100,000-row import makes millions of objects that live until it ends (cells,
    checked rows, staged values, new listings, audit entries), and every one counts
    towards the next collection: the collector walked the whole heap 22 times in one
    such import, 1.5-2 s of its 7-9 s of CPU. Reference counting still frees nearly
    everything (that import left 1,264 objects in cycles), so memory does not grow.
    The switch is the process's: another thread's garbage also waits for the block
    to end, and the first of two such blocks to end turns collection back on (the
    web and the task workers serve one request or task a process at a time). For a
    one-cell save the pause costs two calls.
    Usable as a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
