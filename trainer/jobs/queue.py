"""The Huey instance: SqliteHuey under var/ by default (jobs survive a restart, no server), or
RedisHuey when TRAINER_QUEUE_URL=redis://... so workers on many machines share one queue."""

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


def build_queue(url: str | None = None) -> Queue:
    """Create the queue and register the tasks (idempotent: re-running a job re-scores in place)."""
    huey = create_huey(url)

    @huey.task(retries=2, retry_delay=5, name="trainer.score")
    def score(external_ids: list[str] | None, rubric: str | None = None) -> dict:
        from trainer.db.session import session_scope
        from trainer.services.scoring import score_stored

        with session_scope() as session:
            summary = score_stored(session, external_ids, rubric)
        return {"scored": len(summary.scored), "failed": summary.failed}

    @huey.task(retries=1, retry_delay=30, name="trainer.transcribe")
    def transcribe(external_id: str, engine: str | None = None, model: str | None = None) -> str:
        from trainer.services.calls import transcribe_stored

        return transcribe_stored(external_id, engine=engine, model=model)

    @huey.periodic_task(DRAW_SCHEDULE, name="trainer.draw_assignments")
    def draw() -> dict:
        """Draw the review assignments due now (`trainer queue run` does the same)."""
        from trainer.access import Actor
        from trainer.db.session import session_scope
        from trainer.services.assignments import draw_due

        # No person acts: the audit rows name the scheduler, with an admin's reach.
        with session_scope() as session:
            return draw_due(session, Actor(None, SCHEDULER_NAME, "admin"))

    return Queue(huey, score, transcribe, draw)


_default: Queue | None = None


def default_queue() -> Queue:
    """The process-wide queue for the configured URL."""
    global _default
    if _default is None:
        _default = build_queue()
    return _default
