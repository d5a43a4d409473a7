"""Garbage collection tuned for batch work (scoring or ingesting thousands of conversations).

CPython collects its youngest generation every 700 net allocations and, every few of those, the
older ones, scanning every tracked object: the spaCy pipeline, the compiled pattern bank and the
rubric included, millions of objects that live for the whole process. Parsing a turn allocates
hundreds of short-lived objects, so a bulk run spent a third of its time in the collector
(measured by `benchmarks/score_ingest_scale.py`). For the length of a batch, what is already
loaded is frozen (moved out of the collector's view: it is never garbage) and the young
generation is collected ten times less often; both are restored afterwards. Reference cycles are
still collected, only in larger steps.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLD = 10_000  # young-generation allocations between collections (CPython: 700)

# The collector's settings belong to the process: batches running at once in several threads
# (API requests) share one tuning, set by the first to start and restored by the last to end.
_lock = threading.Lock()
_active = 0
_saved: tuple[int, ...] = ()


@contextmanager
def batch_gc() -> Iterator[None]:
    """Within the block, long-lived objects are frozen and young collections are rarer."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(BATCH_THRESHOLD, _saved[0]), *_saved[1:])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
