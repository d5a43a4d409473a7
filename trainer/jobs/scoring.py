"""A scoring job with a lease: `job.started` before, `job.finished` in the scores' transaction.

A worker killed mid-job leaves the `job.started` row open and no score written (the transaction
never committed); recovery sees the open row, finds the worker dead and queues the job again.
Re-scoring replaces the automatic evaluation, so a job that runs twice stores one.
"""

from __future__ import annotations

from trainer.db.retry import is_transient
from trainer.db.session import session_scope, transaction
from trainer.jobs.leases import Lease
from trainer.jobs.recovery import JOB_FAILED, JOB_FINISHED, JOB_STARTED, worker_actor


def run_score_job(
    job_id: str, external_ids: list[str] | None, rubric: str | None, url: str | None = None
) -> dict:
    """Score the conversations (all when None) under a lease; returns {scored, failed}."""
    from trainer.services.audit import record_event
    from trainer.services.scoring import score_stored

    def journal(session, action: str, after: dict, detail: str | None = None) -> None:
        record_event(
            session,
            worker_actor(),
            action,
            object_type="job",
            object_id=job_id,
            after=after,
            detail=detail,
        )

    lease = Lease.mine()
    started = {"task": "score", "ids": external_ids, "rubric": rubric, "worker": lease.worker}
    transaction(lambda session: journal(session, JOB_STARTED, started), url)
    try:
        with session_scope(url) as session:
            summary = score_stored(session, external_ids, rubric)
            result = {"scored": len(summary.scored), "failed": summary.failed}
            done = {"scored": result["scored"], "failed": len(summary.failed)}
            journal(session, JOB_FINISHED, done)
    except Exception as exc:
        if not is_transient(exc):
            # Closed for good: recovery must not queue a job that fails on its input again.
            reason = f"{type(exc).__name__}: {exc}"[:500]
            transaction(lambda session: journal(session, JOB_FAILED, {}, reason), url)
        raise
    return result
