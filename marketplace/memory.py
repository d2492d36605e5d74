"""The process's memory during a large write."""

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
    to end, and the first of two such blocks to end turns collection back on.
    Usable as a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
