"""The database or the queue out of reach: one clear line naming the URL (password hidden)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DisconnectionError, OperationalError

from trainer.db.retry import attempts, is_locked
from trainer.db.session import database_url, safe_url
from trainer.errors import DatabaseError, QueueError, TrainerError


def _one_line(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]


def queue_unreachable(url: str, exc: BaseException) -> QueueError:
    """The error for a queue that cannot be reached at `url`."""
    return QueueError(
        f"cannot reach the job queue: {_one_line(exc)}",
        where=safe_url(url) if "://" in url else url,
        fix="check TRAINER_QUEUE_URL and that Redis is running (or unset it for the local queue)",
    )


def describe_outage(exc: BaseException) -> TrainerError | None:
    """A coded error for a database or queue failure, or None when `exc` is something else."""
    if is_locked(exc):
        return DatabaseError(
            f"the database stayed locked after {attempts()} tries",
            where=safe_url(database_url()),
            fix="another process holds a long write: try again, or raise TRAINER_DB_RETRIES",
        )
    if isinstance(exc, OperationalError | DisconnectionError):
        return DatabaseError(
            f"lost the database: {_one_line(exc)}",
            where=safe_url(database_url()),
            fix="check that the database server is running; the command changed nothing "
            "it had not finished",
        )
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from trainer.jobs.queue import queue_url

    if isinstance(exc, RedisConnectionError | RedisTimeoutError | sqlite3.OperationalError):
        return queue_unreachable(queue_url(), exc)
    return None
