"""The garbage collector and long stretches of work: a full pass of the collector scans every object alive,
holding the GIL, and in a program that holds a window, its modules and a sync (or a large import) that can take
100-250 ms, during which the window stands still. Work that makes many objects runs with the heap it found
frozen (``gc.freeze``): those objects are left out of the passes its own objects trigger, and go back to the
collector when it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_skips_the_heap_as_it_is() -> Iterator[None]:
    """While the block runs, the objects alive when it began are left out of the garbage collector's passes;
    they go back to it afterwards. Only where nothing else froze the heap already (its freeze is left as is)."""
    mine = gc.get_freeze_count() == 0
    if mine:
        gc.freeze()
    try:
        yield
    finally:
        if mine:
            gc.unfreeze()
