"""Background scoring through the real Huey queue: SQLite storage and the local Redis."""

import pytest
from huey.exceptions import TaskException
from sqlalchemy import func, select

from trainer.db.models import Evaluation
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.jobs.queue import build_queue, create_huey

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation


def seed():
    with session_scope() as session:
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="g"))
        store_conversation(session, make_conversation(POOR_CHAT, external_id="p"))


def drain(queue) -> list:
    """Run what is queued the way a consumer does: dequeue from storage, execute."""
    results = []
    while (task := queue.huey.dequeue()) is not None:
        results.append(queue.huey.execute(task))
    return results


def evaluations() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Evaluation))


def run_queue(url):
    seed()
    queue = build_queue(url)
    queue.score(["g", "p"])
    queue.score(["g", "p"])  # a repeated job must not duplicate evaluations
    assert queue.huey.pending_count() == 2
    results = drain(queue)
    assert results == [{"scored": 2, "failed": []}] * 2
    assert evaluations() == 2


def test_jobs_sqlite_queue_scores_and_is_idempotent(sqlite_url, tmp_path):
    run_queue(f"sqlite:///{tmp_path / 'queue.db'}")


def test_jobs_sqlite_queue_survives_a_restart(sqlite_url, tmp_path):
    seed()
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    build_queue(url).score(["g"])
    restarted = build_queue(url)  # a new process would build its queue the same way
    assert restarted.huey.pending_count() == 1
    drain(restarted)
    assert evaluations() == 1


def test_jobs_redis_queue_scores_and_is_idempotent(db_url, redis_url):
    run_queue(redis_url)


def test_jobs_unknown_conversation_fails_the_job_clearly(sqlite_url, tmp_path):
    queue = build_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    queue.score(["missing"])
    task = queue.huey.dequeue()
    queue.huey.execute(task)  # the consumer records the error as the task's result
    with pytest.raises(TaskException, match="no conversation 'missing'"):
        queue.huey.result(task.id)


def test_jobs_bad_queue_url():
    with pytest.raises(TrainerError, match="unsupported queue URL"):
        create_huey("amqp://localhost")
