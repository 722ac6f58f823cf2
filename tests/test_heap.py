"""clinic_app.heap: long work leaves the heap it found out of the garbage collector's passes, and gives it back."""

from __future__ import annotations

import gc

from clinic_app.heap import collector_skips_the_heap_as_it_is


def test_the_heap_alive_at_the_start_is_frozen_during_the_block_and_given_back_after() -> None:
    assert gc.get_freeze_count() == 0
    alive = [[n] for n in range(1000)]  # tracked objects alive when the block begins
    with collector_skips_the_heap_as_it_is():
        assert gc.get_freeze_count() >= len(alive), "the heap as it was is left out of the passes"
        made_inside = [[n] for n in range(10)]
        assert any(made_inside[0] is o for o in gc.get_objects()), "what the block makes is collected as ever"
    assert gc.get_freeze_count() == 0, "the heap goes back to the collector"


def test_a_heap_frozen_by_someone_else_is_left_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with collector_skips_the_heap_as_it_is():
            pass
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
