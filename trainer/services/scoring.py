"""Score stored conversations with a rubric and store the evaluations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Actor
from trainer.db.models import ConversationRecord
from trainer.db.repository import (
    require_conversation,
    save_evaluation,
    store_rubric,
    to_conversation,
)
from trainer.scoring.engine import score_conversation
from trainer.scoring.rubric import Rubric, find_rubric

DEFAULT_RUBRIC = "customer_service"


@dataclass
class ScoreSummary:
    """What a scoring run did."""

    scored: list[tuple[str, float | None]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def resolve_rubric(rubric: str | Rubric | None) -> Rubric:
    """A Rubric from an object, a shipped id, a file path, or the default."""
    if isinstance(rubric, Rubric):
        return rubric
    return find_rubric(rubric or DEFAULT_RUBRIC)


def score_stored(
    session: Session,
    external_ids: Iterable[str] | None,
    rubric: str | Rubric | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScoreSummary:
    """Score the named conversations (all of them when None), each in its own savepoint.

    A conversation that fails to score gets status 'failed' with the reason; the others go on and
    nothing already stored is lost.
    """
    rubric = resolve_rubric(rubric)
    rubric_row = store_rubric(session, rubric)
    if external_ids is None:
        records = session.scalars(
            select(ConversationRecord)
            .options(selectinload(ConversationRecord.turns), selectinload(ConversationRecord.agent))
            .order_by(ConversationRecord.external_id)
        ).all()
    else:
        records = [require_conversation(session, external_id) for external_id in external_ids]
    summary = ScoreSummary()
    for record in records:
        try:
            with session.begin_nested():
                result = score_conversation(to_conversation(record), rubric)
                save_evaluation(session, record, rubric_row, result)
                _after_scoring(session, record)
            summary.scored.append((record.external_id, result.score))
        except Exception as exc:  # noqa: BLE001 - one bad conversation must not stop the run
            reason = f"scoring failed: {type(exc).__name__}: {exc}"
            record.status, record.status_reason = "failed", reason
            summary.failed.append((record.external_id, reason))
        if progress:
            progress(record.external_id)
    return summary


def _after_scoring(session: Session, record: ConversationRecord) -> None:
    """What else a scored conversation yields: its contact reason (when the organisation
    trained a classifier) and its follow-up promises (stored, and earlier ones it keeps)."""
    from trainer.services.promises import track_promises
    from trainer.services.reasons import classify_stored

    classify_stored(session, record)
    track_promises(session, record)


def authorize_rescore(
    session: Session, actor: Actor, external_ids: Iterable[str] | None
) -> list[str] | None:
    """Raise unless the actor may re-score these conversations (every one when None: admins);
    "not found" for any the actor may not see. Returns the ids as a list."""
    from trainer.access import Action, authorize
    from trainer.errors import ForbiddenError
    from trainer.services.views import visible_conversation

    authorize(actor, Action.CORRECT_TRANSCRIPT)
    if external_ids is None:
        if not actor.is_admin:
            raise ForbiddenError("only an admin may re-score every conversation at once")
        return None
    ids = list(external_ids)
    for external_id in ids:
        # "not found" for what the actor may not see, "forbidden" only for what they can.
        visible_conversation(session, actor, external_id, Action.CORRECT_TRANSCRIPT)
    return ids


def queue_rescore(
    session: Session, actor: Actor, external_ids: Iterable[str] | None, rubric: str | None = None
):
    """Check as `rescore` does, then hand the scoring to `trainer worker`; the request is in
    the audit log. Returns the queued job."""
    from trainer.jobs.queue import default_queue
    from trainer.services.audit import record_event

    ids = authorize_rescore(session, actor, external_ids)
    resolve_rubric(rubric)  # fail now on a bad rubric, not later in the worker
    job = default_queue().score(ids, rubric)
    record_event(
        session,
        actor,
        "rescore.queued",
        object_type="conversation",
        after={"conversations": ids if ids is None or len(ids) <= 50 else len(ids)},
    )
    return job


def rescore(
    session: Session,
    actor: Actor,
    external_ids: Iterable[str] | None,
    rubric: str | Rubric | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScoreSummary:
    """Score conversations again on a person's request (the CLI's `score`, the review page):
    each must be one the actor may re-score; the request is in the audit log. Human reviews are
    separate rows and are never touched."""
    from trainer.services.audit import record_event

    external_ids = authorize_rescore(session, actor, external_ids)
    summary = score_stored(session, external_ids, rubric, progress)
    record_event(
        session,
        actor,
        "rescore",
        object_type="conversation",
        object_id=external_ids[0] if external_ids and len(external_ids) == 1 else None,
        after={
            "scored": len(summary.scored),
            "failed": len(summary.failed),
            "conversations": external_ids if external_ids and len(external_ids) <= 50 else None,
        },
    )
    return summary
