"""Find jobs whose worker died (stale leases, see trainer.jobs.leases) and queue them again.

Runs when `trainer worker` starts and every few minutes on the queue's schedule. Each stale job
is claimed by a conditional update (calls) or under a lock (scoring jobs), so two workers
recovering at once queue it once.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, select, text, update
from sqlalchemy.orm import Session, aliased

from trainer.access import Actor
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.session import session_scope
from trainer.jobs.leases import is_stale, parse_worker

WORKER_NAME = "queue worker"
JOB_STARTED, JOB_FINISHED, JOB_FAILED, JOB_REQUEUED = (
    "job.started",
    "job.finished",
    "job.failed",
    "job.requeued",
)
_CLOSING = (JOB_FINISHED, JOB_FAILED, JOB_REQUEUED)
_RECOVERY_LOCK_KEY = 7_311_943


def worker_actor() -> Actor:
    """Who the audit rows of queue jobs name: no person, with an admin's reach."""
    return Actor(None, WORKER_NAME, "admin")


def recover_stale(queue, url: str | None = None) -> dict:
    """Queue again every call stuck 'processing' and every scoring job left unfinished by a dead
    worker. Returns {"calls": [external ids], "jobs": [old job ids]}."""
    return {"calls": _recover_calls(queue, url), "jobs": _recover_score_jobs(queue, url)}


def _recover_calls(queue, url: str | None) -> list[str]:
    from trainer.services.calls import lease_is_stale

    with session_scope(url) as session:
        stuck = session.scalars(
            select(ConversationRecord).where(ConversationRecord.status == "processing")
        ).all()
        candidates = [
            (r.id, r.external_id, r.status_reason, dict((r.extra or {}).get("job") or {}))
            for r in stuck
            if lease_is_stale(r)
        ]
    requeued = []
    for row_id, external_id, reason, job in candidates:
        with session_scope(url) as session:
            column = ConversationRecord.status_reason
            won = session.execute(
                update(ConversationRecord)
                .where(
                    ConversationRecord.id == row_id,
                    ConversationRecord.status == "processing",
                    column.is_(None) if reason is None else column == reason,
                )
                .values(
                    status="queued",
                    status_reason=f"queued again: the worker stopped ({reason or 'no lease'})",
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                # Queued before the commit: if the commit fails the call stays stale and the next
                # recovery tries again; a job that finds the call done leaves it alone.
                queue.transcribe(external_id, job.get("engine"), job.get("model"))
                requeued.append(external_id)
    return requeued


def open_score_jobs(session: Session) -> list[AuditEvent]:
    """`job.started` rows of scoring jobs with no finished, failed or requeued row after them."""
    closing = aliased(AuditEvent)
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == JOB_STARTED,
                ~exists().where(
                    and_(closing.action.in_(_CLOSING), closing.object_id == AuditEvent.object_id)
                ),
            )
            .order_by(AuditEvent.id)
        )
    )


def _lock(session: Session) -> None:
    # Serialise recoveries: PostgreSQL's advisory lock; on SQLite a write takes the file's lock.
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _RECOVERY_LOCK_KEY})
    else:
        session.execute(text("UPDATE conversations SET id = id WHERE 1 = 0"))


def _recover_score_jobs(queue, url: str | None) -> list[str]:
    from trainer.services.audit import record_event

    requeued = []
    with session_scope(url) as session:
        _lock(session)
        for started in open_score_jobs(session):
            after = started.after or {}
            worker = parse_worker(after.get("worker"))
            host, pid = worker if worker else (None, None)
            if not is_stale(host, pid, started.at):
                continue
            job = queue.score(after.get("ids"), after.get("rubric"))
            record_event(
                session,
                worker_actor(),
                JOB_REQUEUED,
                object_type="job",
                object_id=started.object_id,
                after={"as": job.id, "worker": after.get("worker")},
            )
            requeued.append(started.object_id)
    return requeued
