"""An agent's answers to a submitted review, and their resolution.

The agent whose conversation was reviewed acknowledges the review, or disputes chosen criteria
with a comment, within a window (`TRAINER_DISPUTE_WINDOW_DAYS`, default 14 days after the review
was submitted). A dispute goes to someone other than the reviewer who scored it (another
reviewer, a lead of the agent's team, an admin: the policy's RESOLVE_DISPUTE), who accepts,
partly accepts or rejects it with a reason. Accepting sets new values on the review itself, so
the conversation's final score follows; the dispute row keeps what changed, and both sides see
the history. An agent may also flag one of their conversations for review (assignment rules can
draw flagged ones).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize, can, visible_conversations
from trainer.access.policy import Subject, conversation_subject, not_found
from trainer.db.models import ConversationRecord, Evaluation, ReviewDispute
from trainer.errors import ReviewError
from trainer.scoring.formula import compute
from trainer.scoring.rubric import parse_rubric
from trainer.services.audit import record_event
from trainer.services.reviews import NA, Judgement
from trainer.services.views import visible_conversation

DEFAULT_WINDOW_DAYS = 14
OUTCOMES = ("accepted", "partly_accepted", "rejected")


def window_days() -> int:
    """How many days after submission an agent may dispute a review."""
    raw = os.environ.get("TRAINER_DISPUTE_WINDOW_DAYS", "")
    try:
        return max(0, int(raw)) if raw.strip() else DEFAULT_WINDOW_DAYS
    except ValueError:
        return DEFAULT_WINDOW_DAYS


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def respond_until(review: Evaluation) -> datetime | None:
    """The end of the dispute window of a submitted review."""
    if review.submitted_at is None:
        return None
    return _aware(review.submitted_at) + timedelta(days=window_days())


def _submitted_review(session: Session, review_id: int) -> Evaluation:
    review = session.get(Evaluation, review_id)
    if review is None or review.kind != "human" or review.status != "submitted":
        raise not_found(f"review {review_id}")
    return review


def _own_review(session: Session, actor: Actor, review_id: int) -> Evaluation:
    """A submitted review of the actor's own conversation (anyone else: "not found")."""
    review = _submitted_review(session, review_id)
    record = review.conversation
    if not can(actor, Action.VIEW_CONVERSATION, conversation_subject(record)):
        raise not_found(f"review {review_id}")
    authorize(actor, Action.RESPOND_TO_REVIEW, conversation_subject(record))
    return review


def _window_open(review: Evaluation, now: datetime) -> None:
    until = respond_until(review)
    if until is not None and now > until:
        raise ReviewError(
            f"the time to dispute this review ended on {until.date().isoformat()}",
            where=f"review {review.id}",
            fix="ask your lead to look at it again",
        )


def acknowledge_review(
    session: Session, actor: Actor, review_id: int, *, now: datetime | None = None
) -> dict:
    """The agent has read a submitted review of their conversation and accepts it."""
    review = _own_review(session, actor, review_id)
    if review.acknowledged_at is None:
        review.acknowledged_at = now or datetime.now(UTC)
        session.flush()
        record_event(
            session,
            actor,
            "review.acknowledge",
            object_type="review",
            object_id=review.id,
            after={"conversation": review.conversation.external_id},
        )
    return {"review_id": review.id, "acknowledged_at": _aware(review.acknowledged_at).isoformat()}


def open_dispute(
    session: Session,
    actor: Actor,
    review_id: int,
    criteria: list[str],
    comment: str,
    *,
    now: datetime | None = None,
) -> dict:
    """The agent disputes chosen criteria of a submitted review of their conversation."""
    review = _own_review(session, actor, review_id)
    _window_open(review, now or datetime.now(UTC))
    known = [cs.criterion_id for cs in review.criterion_scores]
    chosen = list(dict.fromkeys(c.strip() for c in criteria if c.strip()))
    if not chosen:
        raise ReviewError("choose the criteria you dispute", where=f"review {review_id}")
    for criterion in chosen:
        if criterion not in known:
            raise ReviewError(
                f"the review has no criterion {criterion!r}",
                where=f"review {review_id}",
                fix=f"use one of {', '.join(known)}",
            )
    if not comment.strip():
        raise ReviewError("say why you disagree", where=f"review {review_id}", fix="add a comment")
    if _open_dispute_of(session, review.id) is not None:
        raise ReviewError(
            "this review has a dispute waiting for an answer already",
            where=f"review {review_id}",
        )
    dispute = ReviewDispute(
        review_id=review.id,
        agent_id=actor.id,
        criteria=chosen,
        comment=comment.strip(),
        status="open",
        changes={},
    )
    session.add(dispute)
    session.flush()
    record_event(
        session,
        actor,
        "dispute.open",
        object_type="review",
        object_id=review.id,
        after={"dispute": dispute.id, "criteria": chosen},
        detail=dispute.comment,
    )
    return dispute_view(dispute)


def _open_dispute_of(session: Session, review_id: int) -> ReviewDispute | None:
    return session.scalar(
        select(ReviewDispute).where(
            ReviewDispute.review_id == review_id, ReviewDispute.status == "open"
        )
    )


def _resolve_subject(review: Evaluation) -> Subject:
    """The dispute as the policy sees it: the agent's conversation, first scored by the reviewer."""
    base = conversation_subject(review.conversation)
    return Subject(
        label=f"the dispute of review {review.id}",
        owner_id=base.owner_id,
        owner_team_ids=base.owner_team_ids,
        scorer_id=review.reviewer_id,
    )


def may_resolve(actor: Actor, review: Evaluation) -> bool:
    """True when the actor may answer disputes of this review (not its own reviewer)."""
    return can(actor, Action.VIEW_CONVERSATION, conversation_subject(review.conversation)) and can(
        actor, Action.RESOLVE_DISPUTE, _resolve_subject(review)
    )


def resolve_dispute(
    session: Session,
    actor: Actor,
    dispute_id: int,
    outcome: str,
    reason: str,
    values: dict[str, float | str] | None = None,
) -> dict:
    """Accept, partly accept or reject an open dispute with a reason. Accepting sets the given
    new values (a number in 0..1 or "na") on the disputed criteria of the review, and the
    review's score is recomputed with the rubric's formula; the dispute records each change."""
    dispute = session.get(ReviewDispute, dispute_id)
    if dispute is None:
        raise not_found(f"dispute {dispute_id}")
    review = dispute.review
    visible_conversation(session, actor, review.conversation.external_id)
    authorize(actor, Action.RESOLVE_DISPUTE, _resolve_subject(review))
    where = f"dispute {dispute_id}"
    if dispute.status != "open":
        raise ReviewError(
            f"the dispute was {dispute.status.replace('_', ' ')} already", where=where
        )
    if outcome not in OUTCOMES:
        raise ReviewError(f"unknown outcome {outcome!r}", where=where, fix=f"use {OUTCOMES}")
    if not reason.strip():
        raise ReviewError("give the agent a reason", where=where)
    judgements = {
        criterion: Judgement.parse(criterion, {"value": value})
        for criterion, value in (values or {}).items()
    }
    _check_values(dispute, outcome, judgements, where)
    before_score = review.score
    changes = _apply(review, judgements)
    dispute.status = outcome
    dispute.resolver_id = actor.id
    dispute.resolution = reason.strip()
    dispute.changes = changes
    dispute.resolved_at = datetime.now(UTC)
    session.flush()
    record_event(
        session,
        actor,
        "dispute.resolve",
        object_type="review",
        object_id=review.id,
        before={"score": before_score},
        after={"dispute": dispute.id, "outcome": outcome, "score": review.score, **changes},
        detail=dispute.resolution,
    )
    return dispute_view(dispute)


def _check_values(
    dispute: ReviewDispute, outcome: str, judgements: dict[str, Judgement], where: str
) -> None:
    disputed = set(dispute.criteria)
    for criterion in judgements:
        if criterion not in disputed:
            raise ReviewError(
                f"{criterion!r} was not disputed",
                where=where,
                fix=f"change only {', '.join(dispute.criteria)}",
            )
    if outcome == "rejected" and judgements:
        raise ReviewError("a rejected dispute changes no score", where=where)
    if outcome == "accepted" and set(judgements) != disputed:
        missing = ", ".join(sorted(disputed - set(judgements)))
        raise ReviewError(
            f"give the new value of {missing}",
            where=where,
            fix="an accepted dispute sets every disputed criterion; or partly accept it",
        )
    if outcome == "partly_accepted" and not judgements:
        raise ReviewError("give the new value of the criteria you accept", where=where)


def _apply(review: Evaluation, judgements: dict[str, Judgement]) -> dict:
    """Set the accepted values on the review and recompute its score; what changed."""
    if not judgements:
        return {}
    rubric = parse_rubric(review.rubric.definition, source=review.rubric.ref)
    allows_na = {criterion.id: criterion.na_allowed for _, criterion in rubric.criteria()}
    changes = {}
    for score in review.criterion_scores:
        judgement = judgements.get(score.criterion_id)
        if judgement is None:
            continue
        if judgement.na and not allows_na.get(score.criterion_id, False):
            raise ReviewError("N/A is not allowed here", where=score.criterion_id)
        old = NA if score.status == "na" else score.value
        new = NA if judgement.na else judgement.value
        if old != new:
            changes[score.criterion_id] = {"from": old, "to": new}
        score.status = "na" if judgement.na else "scored"
        score.value = None if judgement.na else judgement.value
    result = compute(
        rubric, {cs.criterion_id: cs.value for cs in review.criterion_scores if cs.status != "na"}
    )
    review.score, review.sections = result.score, dict(result.sections)
    return changes


def dispute_view(dispute: ReviewDispute) -> dict:
    """A dispute as plain data, for both sides' history."""
    return {
        "id": dispute.id,
        "review_id": dispute.review_id,
        "conversation": dispute.review.conversation.external_id,
        "agent": dispute.agent.name if dispute.agent else None,
        "reviewer": dispute.review.reviewer.name if dispute.review.reviewer else None,
        "criteria": list(dispute.criteria or []),
        "comment": dispute.comment,
        "status": dispute.status,
        "resolver": dispute.resolver.name if dispute.resolver else None,
        "resolution": dispute.resolution,
        "changes": dict(dispute.changes or {}),
        "created_at": _aware(dispute.created_at).isoformat() if dispute.created_at else None,
        "resolved_at": _aware(dispute.resolved_at).isoformat() if dispute.resolved_at else None,
    }


def with_responses(
    session: Session,
    actor: Actor,
    record: ConversationRecord,
    reviews: list[dict],
    *,
    now: datetime | None = None,
) -> list[dict]:
    """The review dicts of `reviews_of`, each with the agent's answers: when it was acknowledged,
    its disputes, the end of its window, and whether the actor may respond or resolve."""
    ids = [r["id"] for r in reviews if r["status"] == "submitted"]
    if not ids:
        return [{**r, **_no_responses()} for r in reviews]
    rows = {
        review.id: review
        for review in session.scalars(
            select(Evaluation)
            .where(Evaluation.id.in_(ids))
            .options(selectinload(Evaluation.conversation))
        )
    }
    disputes: dict[int, list[dict]] = {}
    for dispute in session.scalars(
        select(ReviewDispute)
        .where(ReviewDispute.review_id.in_(ids))
        .order_by(ReviewDispute.created_at, ReviewDispute.id)
    ):
        disputes.setdefault(dispute.review_id, []).append(dispute_view(dispute))
    moment = now or datetime.now(UTC)
    own = can(actor, Action.RESPOND_TO_REVIEW, conversation_subject(record))
    answered = []
    for view in reviews:
        review = rows.get(view["id"])
        if review is None:
            answered.append({**view, **_no_responses()})
            continue
        until = respond_until(review)
        history = disputes.get(review.id, [])
        waiting = any(d["status"] == "open" for d in history)
        answered.append(
            {
                **view,
                "acknowledged_at": (
                    _aware(review.acknowledged_at).isoformat() if review.acknowledged_at else None
                ),
                "disputes": history,
                "respond_until": until.date().isoformat() if until else None,
                "can_respond": own and until is not None and moment <= until and not waiting,
                "can_resolve": waiting and may_resolve(actor, review),
            }
        )
    return answered


def _no_responses() -> dict:
    return {
        "acknowledged_at": None,
        "disputes": [],
        "respond_until": None,
        "can_respond": False,
        "can_resolve": False,
    }


def disputes_inbox(session: Session, actor: Actor) -> list[dict]:
    """Open disputes the actor may resolve, oldest first (none of their own reviews)."""
    visible = visible_conversations(actor, select(ConversationRecord.id))
    rows = session.scalars(
        select(ReviewDispute)
        .join(Evaluation, Evaluation.id == ReviewDispute.review_id)
        .where(ReviewDispute.status == "open", Evaluation.conversation_id.in_(visible))
        .order_by(ReviewDispute.created_at, ReviewDispute.id)
    ).all()
    return [dispute_view(d) for d in rows if may_resolve(actor, d.review)]


def my_disputes(session: Session, actor: Actor) -> list[dict]:
    """The disputes the actor opened, newest first."""
    if actor.id is None:
        return []
    rows = session.scalars(
        select(ReviewDispute)
        .where(ReviewDispute.agent_id == actor.id)
        .order_by(ReviewDispute.created_at.desc(), ReviewDispute.id.desc())
    ).all()
    return [dispute_view(d) for d in rows]


def flag_for_review(
    session: Session, actor: Actor, external_id: str, *, flagged: bool = True
) -> dict:
    """The agent asks for one of their conversations to be reviewed (or withdraws the ask)."""
    record = visible_conversation(session, actor, external_id, Action.RESPOND_TO_REVIEW)
    before = record.flagged_at is not None
    record.flagged_at = datetime.now(UTC) if flagged else None
    if before != flagged:
        record_event(
            session,
            actor,
            "conversation.flag" if flagged else "conversation.unflag",
            object_type="conversation",
            object_id=external_id,
            before={"flagged": before},
            after={"flagged": flagged},
        )
    session.flush()
    return {"conversation": external_id, "flagged": flagged}
