"""The Huey instance: SqliteHuey under var/ by default (jobs survive a restart, no server), or
RedisHuey when TRAINER_QUEUE_URL=redis://... so workers on many machines share one queue.

Jobs retry with growing pauses when the database or Redis is out of reach (and only then: a
job that fails on its input fails at once). A job a killed worker took along is found by its
lease and queued again (trainer.jobs.recovery), at start-up and every few minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey, crontab

DEFAULT_QUEUE_PATH = Path("var") / "queue.db"
# The review queue's draw runs hourly (five past): each rule draws once per period anyway, so
# the hour only bounds how late a new day's, week's or month's items appear.
DRAW_SCHEDULE = crontab(minute="5")
SCHEDULER_NAME = "assignment scheduler"
RECOVERY_SCHEDULE = crontab(minute="*/5")
# Retries on an outage: 2, 4, 8, 16, 32, 64 s (about two minutes in all), then the job fails.
RETRIES, RETRY_DELAY, RETRY_BACKOFF = 6, 2, 2


def queue_url() -> str:
    """$TRAINER_QUEUE_URL, else a SQLite file at var/queue.db."""
    return os.environ.get("TRAINER_QUEUE_URL") or f"sqlite:///{DEFAULT_QUEUE_PATH.resolve()}"


def create_huey(url: str | None = None, *, immediate: bool = False) -> Huey:
    """A Huey for `url` (sqlite:///path or redis://host:port/db)."""
    url = url or queue_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("trainer", url=url, immediate=immediate)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("trainer", filename=str(path), immediate=immediate)
    from trainer.errors import TrainerError

    raise TrainerError(
        f"unsupported queue URL {url!r}",
        where="TRAINER_QUEUE_URL",
        fix="use sqlite:///path/to/queue.db or redis://host:6379/0",
    )


@dataclass(frozen=True)
class Queue:
    """A Huey instance with Trainer's tasks registered on it."""

    huey: Huey
    score: object  # huey TaskWrapper: score(external_ids, rubric) -> summary dict
    transcribe: object  # huey TaskWrapper: transcribe(external_id, engine, model) -> status
    draw: object = None  # huey periodic TaskWrapper: draw() -> the draw's summary
    recover: object = None  # huey periodic TaskWrapper: recover() -> what was queued again


def retry_only_outages(task, exc: BaseException) -> None:
    """Let Huey retry `task` (with back-off) only when `exc` is an outage; input errors fail
    at once."""
    from trainer.db.retry import is_transient

    if not is_transient(exc):
        task.retries = 0


def check_queue(url: str | None = None) -> None:
    """Raise QueueError naming the URL unless the queue answers (Redis ping, SQLite open)."""
    from trainer.jobs.outage import queue_unreachable

    url = url or queue_url()
    try:
        huey = create_huey(url)
        if isinstance(huey, RedisHuey):
            huey.storage.conn.ping()
        else:
            huey.pending_count()
    except Exception as exc:
        from trainer.errors import TrainerError

        if isinstance(exc, TrainerError):
            raise
        raise queue_unreachable(url, exc) from None


def build_queue(url: str | None = None) -> Queue:
    """Create the queue and register the tasks (idempotent: re-running a job re-scores in place)."""
    huey = create_huey(url)
    retrying = {
        "retries": RETRIES,
        "retry_delay": RETRY_DELAY,
        "retry_backoff": RETRY_BACKOFF,
        "context": True,
    }

    @huey.task(name="trainer.score", **retrying)
    def score(external_ids: list[str] | None, rubric: str | None = None, task=None) -> dict:
        from trainer.jobs.scoring import run_score_job

        try:
            return run_score_job(task.id, external_ids, rubric)
        except Exception as exc:
            retry_only_outages(task, exc)
            raise

    @huey.task(name="trainer.transcribe", **retrying)
    def transcribe(
        external_id: str, engine: str | None = None, model: str | None = None, task=None
    ) -> str:
        from trainer.services.calls import transcribe_stored

        try:
            return transcribe_stored(external_id, engine=engine, model=model)
        except Exception as exc:
            retry_only_outages(task, exc)
            raise

    @huey.periodic_task(DRAW_SCHEDULE, name="trainer.draw_assignments")
    def draw() -> dict:
        """Draw the review assignments due now (`trainer queue run` does the same)."""
        from trainer.access import Actor
        from trainer.db.session import session_scope
        from trainer.services.assignments import draw_due

        # No person acts: the audit rows name the scheduler, with an admin's reach.
        with session_scope() as session:
            return draw_due(session, Actor(None, SCHEDULER_NAME, "admin"))

    queue = Queue(huey, score, transcribe, draw)

    @huey.periodic_task(RECOVERY_SCHEDULE, name="trainer.recover_stale")
    def recover() -> dict:
        """Queue again the jobs whose worker died (calls stuck 'processing', scoring jobs)."""
        from trainer.jobs.recovery import recover_stale

        return recover_stale(queue)

    return Queue(huey, score, transcribe, draw, recover)


_default: Queue | None = None


def default_queue() -> Queue:
    """The process-wide queue for the configured URL."""
    global _default
    if _default is None:
        _default = build_queue()
    return _default
