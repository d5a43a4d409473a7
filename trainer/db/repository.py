"""Reading and writing the domain through a Session: conversations, rubrics, evaluations.

Everything here takes a Session and leaves commit/rollback to the caller's transaction, so a
caller can store a whole file's conversations atomically or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.util import identity_key

from trainer.conversation import Conversation, Evidence, Turn
from trainer.db.models import (
    ConversationRecord,
    CriterionScore,
    Evaluation,
    RubricRecord,
    TurnRecord,
    User,
    utcnow,
)
from trainer.errors import NotFoundError
from trainer.scoring.rubric import Rubric, parse_rubric

if TYPE_CHECKING:  # the engine imports spaCy: seconds that storing and reading never need
    from trainer.scoring.engine import EvaluationResult


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing one conversation did: 'created', 'unchanged' or 'replaced'."""

    action: str
    record: ConversationRecord


def match_agent(session: Session, name: str | None) -> User | None:
    """The account an agent name from a source refers to (its name in any case, or its email),
    or None: ingestion never creates users (unmatched names wait for an admin to link them)."""
    if not name or not name.strip():
        return None
    name = name.strip()
    user = session.scalar(select(User).where(func.lower(User.name) == name.lower()))
    if user is None and "@" in name:
        user = session.scalar(select(User).where(func.lower(User.email) == name.lower()))
    return user


def find_conversation(session: Session, external_id: str) -> ConversationRecord | None:
    """The stored conversation with this external id, or None."""
    return session.scalar(
        select(ConversationRecord).where(ConversationRecord.external_id == external_id)
    )


def require_conversation(session: Session, external_id: str) -> ConversationRecord:
    """The stored conversation with this external id; NotFoundError naming it otherwise."""
    record = find_conversation(session, external_id)
    if record is None:
        raise NotFoundError(
            f"no conversation {external_id!r}",
            fix="run 'trainer report' or list ids in the web app",
        )
    return record


def store_conversation(
    session: Session, conversation: Conversation, *, replace: bool = False
) -> StoreOutcome:
    """Store a conversation idempotently (same content twice creates nothing new).

    A different conversation under an existing external id is refused unless `replace` is set,
    which swaps the turns and drops the old automatic evaluations (they scored other words).
    """
    digest = conversation.content_hash()
    existing = find_conversation(session, conversation.external_id)
    if existing is not None:
        if existing.content_hash == digest:
            # The same words, now with the customer's id or email: learn who it was.
            if conversation.customer_ref and existing.customer_ref != conversation.customer_ref:
                existing.customer_ref = conversation.customer_ref
            return StoreOutcome("unchanged", existing)
        if not replace:
            from trainer.errors import IngestError

            raise IngestError(
                f"conversation {conversation.external_id!r} is already stored with other content",
                fix="give it another id, or pass --replace to overwrite it",
            )
        linked = (existing.agent_name, existing.agent)
        existing.turns.clear()
        existing.evaluations[:] = [e for e in existing.evaluations if e.kind != "auto"]
        session.flush()
        _fill(session, existing, conversation, digest)
        if existing.agent is None and existing.agent_name == linked[0]:
            existing.agent = linked[1]  # keep a link an admin made for the same agent name
        existing.status, existing.status_reason = "ingested", None
        existing.contact_reason = None  # classified from the old words; `reasons apply` redoes it
        return StoreOutcome("replaced", existing)
    record = ConversationRecord(external_id=conversation.external_id)
    _fill(session, record, conversation, digest)
    session.add(record)
    session.flush()
    return StoreOutcome("created", record)


def _fill(session: Session, record: ConversationRecord, conv: Conversation, digest: str) -> None:
    record.channel = conv.channel
    record.customer_name = conv.customer
    record.customer_ref = conv.customer_ref
    record.started_at = conv.started_at
    record.source = conv.source
    record.source_format = conv.metadata.get("format")
    record.content_hash = digest
    record.extra = {k: v for k, v in conv.metadata.items() if k != "format"}
    record.agent_name = conv.agent.strip() if conv.agent and conv.agent.strip() else None
    record.agent = match_agent(session, conv.agent)
    ends = [t.end for t in conv.turns if t.end is not None]
    record.duration_seconds = max(ends) if ends else None
    record.turns = [
        TurnRecord(
            position=i,
            speaker=t.speaker,
            text=t.text,
            start=t.start,
            end=t.end,
            words=[list(w) for w in t.words] or None,
        )
        for i, t in enumerate(conv.turns)
    ]


def to_conversation(record: ConversationRecord) -> Conversation:
    """The plain Conversation a stored record holds (what the scoring engine reads)."""
    return Conversation(
        external_id=record.external_id,
        turns=[
            Turn(t.speaker, t.text, t.start, t.end, tuple(tuple(w) for w in t.words or ()))  # type: ignore[arg-type]
            for t in record.turns
        ],
        channel=record.channel,
        agent=record.agent.name if record.agent else None,
        customer=record.customer_name,
        started_at=record.started_at,
        source=record.source,
        metadata=dict(record.extra or {}),
        customer_ref=record.customer_ref,
    )


def store_rubric(session: Session, rubric: Rubric) -> RubricRecord:
    """The stored row for this rubric version, created on first use.

    Editing a rubric file without bumping its version is refused: old scores must stay explainable.
    """
    record = session.scalar(
        select(RubricRecord).where(
            RubricRecord.slug == rubric.id, RubricRecord.version == rubric.version
        )
    )
    digest = rubric.content_hash()
    if record is None:
        record = RubricRecord(
            slug=rubric.id,
            version=rubric.version,
            title=rubric.title,
            definition=rubric.definition(),
            content_hash=digest,
        )
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            # Another process (an API thread, a worker) stored this version first: use theirs.
            record = session.scalars(
                select(RubricRecord).where(
                    RubricRecord.slug == rubric.id, RubricRecord.version == rubric.version
                )
            ).one()
    if record.content_hash != digest:
        from trainer.errors import RubricError

        raise RubricError(
            f"rubric {rubric.ref} changed since it was first used to score",
            where=rubric.ref,
            fix="bump 'version' in the rubric file so old and new scores stay apart",
        )
    return record


def load_stored_rubric(record: RubricRecord) -> Rubric:
    """The Rubric a stored row defines (exactly the version that produced its scores)."""
    return parse_rubric(record.definition, source=record.ref)


def _forget_loaded(session: Session, evaluation_ids: list[int]) -> None:
    """Drop already-loaded evaluations (and their loaded criterion scores) from the session before
    a bulk delete, so rows that reuse their ids later are not mistaken for them."""
    for evaluation_id in evaluation_ids:
        loaded = session.identity_map.get(identity_key(Evaluation, evaluation_id))
        if loaded is None:
            continue
        for score in loaded.__dict__.get("criterion_scores", []):
            session.expunge(score)
        session.expunge(loaded)


def save_evaluation(
    session: Session, record: ConversationRecord, rubric_row: RubricRecord, result: EvaluationResult
) -> Evaluation:
    """Store an automatic evaluation, replacing the earlier automatic one for this rubric version.

    Re-scoring is idempotent: one automatic evaluation per conversation and rubric version.
    """
    replaced = (
        Evaluation.conversation_id == record.id,
        Evaluation.rubric_id == rubric_row.id,
        Evaluation.kind == "auto",
    )
    _forget_loaded(session, session.scalars(select(Evaluation.id).where(*replaced)).all())
    # No session sync: the loaded ones are forgotten above, and "evaluate" walks the whole
    # identity map on every call (quadratic over a long run).
    session.execute(
        delete(Evaluation).where(*replaced), execution_options={"synchronize_session": False}
    )
    session.expire(record, ["evaluations"])
    evaluation = Evaluation(
        conversation_id=record.id,
        rubric_id=rubric_row.id,
        kind="auto",
        status="needs_review" if result.needs_review else "completed",
        score=result.score,
        sections=result.sections,
        pipeline="rules",
        criterion_scores=[
            CriterionScore(
                section_id=c.section_id,
                criterion_id=c.criterion_id,
                status=c.score.status,
                value=c.score.value,
                explanation=c.score.explanation,
                evidence=[e.as_dict() for e in c.score.evidence],
                detector=c.detector,
            )
            for c in result.criteria
        ],
    )
    session.add(evaluation)
    record.status, record.status_reason = "scored", None
    session.flush()
    return evaluation


def save_evaluations(
    session: Session, rubric_id: int, results: list[tuple[int, EvaluationResult]]
) -> list[int]:
    """`save_evaluation` for many conversations (id, result) at once, in bulk: one DELETE of their
    earlier automatic evaluations for this rubric version, one INSERT of the new evaluations and
    one of all their criterion rows. Human reviews and calibration scores are never touched.
    Conversation statuses are the caller's (ORM objects it holds). Returns the new ids in order.
    """
    if not results:
        return []
    conversation_ids = [conversation_id for conversation_id, _ in results]
    replaced = (
        Evaluation.conversation_id.in_(conversation_ids),
        Evaluation.rubric_id == rubric_id,
        Evaluation.kind == "auto",
    )
    _forget_loaded(session, session.scalars(select(Evaluation.id).where(*replaced)).all())
    session.execute(
        delete(Evaluation).where(*replaced), execution_options={"synchronize_session": False}
    )
    for conversation_id in conversation_ids:
        loaded = session.identity_map.get(identity_key(ConversationRecord, conversation_id))
        if loaded is not None and "evaluations" in loaded.__dict__:
            session.expire(loaded, ["evaluations"])
    now = utcnow()
    evaluations = Evaluation.__table__
    # Core inserts (no ORM unit of work): the ids come back in parameter order.
    ids = list(
        session.execute(
            insert(evaluations).returning(evaluations.c.id, sort_by_parameter_order=True),
            [
                {
                    "conversation_id": conversation_id,
                    "rubric_id": rubric_id,
                    "kind": "auto",
                    "status": "needs_review" if result.needs_review else "completed",
                    "score": result.score,
                    "sections": result.sections,
                    "pipeline": "rules",
                    "created_at": now,
                    "updated_at": now,
                }
                for conversation_id, result in results
            ],
        ).scalars()
    )
    rows = [
        {
            "evaluation_id": evaluation_id,
            "section_id": c.section_id,
            "criterion_id": c.criterion_id,
            "status": c.score.status,
            "value": c.score.value,
            "explanation": c.score.explanation,
            "evidence": [e.as_dict() for e in c.score.evidence],
            "detector": c.detector,
            "created_at": now,
            "updated_at": now,
        }
        for evaluation_id, (_, result) in zip(ids, results, strict=True)
        for c in result.criteria
    ]
    if rows:
        session.execute(insert(CriterionScore.__table__), rows)
    return ids


def counts_toward_scores():
    """The SQL condition for evaluations that count: automatic ones and submitted reviews (a
    draft is unfinished work; a calibration score is practice between reviewers)."""
    return (Evaluation.kind == "auto") | (
        (Evaluation.kind == "human") & (Evaluation.status == "submitted")
    )


def latest_evaluation(session: Session, record: ConversationRecord) -> Evaluation | None:
    """The newest automatic evaluation of a conversation (human reviews are their own rows:
    `trainer.services.reviews`)."""
    return session.scalar(
        select(Evaluation)
        .where(Evaluation.conversation_id == record.id, Evaluation.kind == "auto")
        .options(selectinload(Evaluation.criterion_scores), selectinload(Evaluation.rubric))
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(1)
    )


def evidence_of(score: CriterionScore) -> list[Evidence]:
    """The stored evidence of a criterion score as Evidence objects."""
    return [Evidence.from_dict(e) for e in score.evidence or []]
