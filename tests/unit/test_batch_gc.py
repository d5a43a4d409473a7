"""batch_gc: inside a batch the collector runs less often and skips what was loaded before;
afterwards its settings are exactly as they were, however batches nest or overlap in threads."""

from __future__ import annotations

import gc
import threading

from trainer.batch_gc import BATCH_THRESHOLD, batch_gc


def test_batch_gc_raises_the_threshold_freezes_and_restores():
    before = gc.get_threshold()
    with batch_gc():
        assert gc.get_threshold()[0] == max(BATCH_THRESHOLD, before[0])
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > 0  # what was loaded is out of the collector's view
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_batch_gc_restores_after_an_error_and_when_nested():
    before = gc.get_threshold()
    try:
        with batch_gc():
            with batch_gc():
                pass
            assert gc.get_threshold()[0] == max(BATCH_THRESHOLD, before[0])  # outer still on
            raise RuntimeError("a failed batch")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_batch_gc_overlapping_threads_restore_the_original_settings():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first():
        with batch_gc():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with batch_gc():
            second_in.set()
            first_out.wait(5)  # the first batch ends while this one runs
            seen.append(gc.get_threshold()[0])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [max(BATCH_THRESHOLD, before[0])]  # still tuned after the first one ended
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_are_still_collected_in_a_batch():
    import weakref

    class Node:
        pass

    with batch_gc():
        node = Node()
        node.self = node  # a reference cycle: only the collector frees it
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None
