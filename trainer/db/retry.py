"""Retrying a unit of database work when SQLite says "database is locked", with back-off.

SQLite lets one writer in at a time. The busy timeout makes a writer wait, but a writer can still
be refused (a long transaction elsewhere, a read that must become a write): then the whole unit is
rolled back and run again after a growing, jittered pause. The number of retries is counted so a
command can say how contended it was.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

T = TypeVar("T")
LOCKED_MESSAGES = ("database is locked", "database table is locked", "database is busy")
DEFAULT_ATTEMPTS = 12
BASE_DELAY = 0.05
MAX_DELAY = 2.0

_count_lock = threading.Lock()
_retries = 0


def is_locked(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (another writer holds the file)."""
    return isinstance(exc, OperationalError) and any(
        text in str(exc.orig).lower() for text in LOCKED_MESSAGES
    )


def is_transient(exc: BaseException) -> bool:
    """True for failures that may pass when tried again later: a locked SQLite file, a lost or
    refused database connection, Redis unreachable. Input errors are never transient."""
    from trainer.errors import DatabaseError

    if isinstance(exc, OperationalError | DisconnectionError | DatabaseError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency of the queue
        return isinstance(exc, ConnectionError | TimeoutError)
    network = (ConnectionError, TimeoutError, RedisConnectionError, RedisTimeoutError)
    return isinstance(exc, network)


def retry_count() -> int:
    """How many times this process re-ran a unit of work because the database was locked."""
    return _retries


def backoff(attempt: int, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """The pause before retry number `attempt` (1, 2, ...): doubling, capped, with jitter so
    processes that collided do not collide again in step."""
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def attempts() -> int:
    """$TRAINER_DB_RETRIES (how often a locked unit of work is tried), default 12."""
    try:
        return max(1, int(os.environ.get("TRAINER_DB_RETRIES") or DEFAULT_ATTEMPTS))
    except ValueError:
        return DEFAULT_ATTEMPTS


def retry_locked(work: Callable[[], T], *, tries: int | None = None) -> T:
    """Run `work` (which must open and commit its own transaction, so a retry starts clean) and
    run it again while SQLite reports the database locked; the last failure is raised."""
    global _retries
    tries = tries or attempts()
    for attempt in range(1, tries + 1):
        try:
            return work()
        except OperationalError as exc:
            if not is_locked(exc) or attempt == tries:
                raise
        with _count_lock:
            _retries += 1
        time.sleep(backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
