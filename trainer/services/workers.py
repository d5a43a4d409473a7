"""Running independent pieces of work in several processes (bulk scoring, folder ingest).

Workers are forked, so they start with what this process already loaded (the spaCy pipeline,
compiled patterns, the rubric) instead of loading it again. Database engines are not shared
across a fork: this process drops its pooled connections first, and each worker opens its own
engine and session on first use.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from trainer.db.session import reset_cache

T = TypeVar("T")
R = TypeVar("R")


def run_forked(work: Callable[[T], R], jobs: Iterable[T], workers: int) -> Iterator[R]:
    """`work(job)` for every job across `workers` forked processes, yielding each result as it
    arrives (in any order). An exception in a job is raised here, after the pool is stopped."""
    jobs = list(jobs)
    if not jobs:
        return
    reset_cache()  # a pooled connection must never be used by two processes
    context = multiprocessing.get_context("fork")
    with context.Pool(min(workers, len(jobs)), initializer=reset_cache) as pool:
        yield from pool.imap_unordered(work, jobs)
