"""Agreement, measured: per criterion, the automatic score against the final human one on every
reviewed conversation, and reviewers against each other where several scored the same one.

The number a QA manager uses to decide whether to trust auto-QA on the conversations nobody
reviews. Only submitted reviews count; calibration and role-play are not QA and stay out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize, visible_conversations
from trainer.analytics.agreement import interval_alpha, pair_agreement
from trainer.db.models import ConversationRecord, Evaluation
from trainer.db.repository import latest_evaluation

NAN = float("nan")


def _value(score) -> float:
    """A criterion score as a number; NaN for N/A, unscored or missing."""
    if score is None or score.status != "scored" or score.value is None:
        return NAN
    return float(score.value)


def agreement_report(session: Session, actor: Actor, since: datetime | None = None) -> list[dict]:
    """One object per criterion: `{"criterion", "auto_vs_human": {n, exact, mad, kappa} | None,
    "between_reviewers": {n, alpha} | None}` over the conversations the actor's scorecards
    cover, with reviews submitted since `since`."""
    authorize(actor, Action.VIEW_SCORECARDS)
    visible = visible_conversations(
        actor,
        select(ConversationRecord.id).where(ConversationRecord.channel != "roleplay"),
        Action.VIEW_SCORECARDS,
    )
    query = (
        select(Evaluation)
        .where(
            Evaluation.kind == "human",
            Evaluation.status == "submitted",
            Evaluation.conversation_id.in_(visible),
        )
        .options(selectinload(Evaluation.criterion_scores))
        .order_by(Evaluation.submitted_at, Evaluation.id)
    )
    if since is not None:
        query = query.where(Evaluation.submitted_at >= since)
    reviews = session.scalars(query).all()
    by_conversation: dict[int, dict[int, dict[str, float]]] = {}  # conv -> reviewer -> values
    final: dict[int, dict[str, float]] = {}  # conv -> values of its newest submitted review
    reviewed: dict[str, None] = {}  # criteria any review scored, in order
    for review in reviews:  # oldest first: a newer review replaces the older
        values = {cs.criterion_id: _value(cs) for cs in review.criterion_scores}
        reviewed.update(dict.fromkeys(values))
        by_conversation.setdefault(review.conversation_id, {})[review.reviewer_id or 0] = values
        final[review.conversation_id] = values
    criteria: dict[str, None] = {}  # every criterion: the machine's order, then the reviews'
    automatic: dict[int, dict[str, float]] = {}
    for cid in by_conversation:
        auto = latest_evaluation(session, session.get(ConversationRecord, cid))
        automatic[cid] = {
            cs.criterion_id: _value(cs) for cs in (auto.criterion_scores if auto else [])
        }
        criteria.update(dict.fromkeys(automatic[cid]))
    criteria.update(reviewed)
    reviewers = sorted({r for per in by_conversation.values() for r in per})
    shared = [cid for cid, per in by_conversation.items() if len(per) >= 2]
    report = []
    for criterion in criteria:
        pair = pair_agreement(
            [automatic[cid].get(criterion, NAN) for cid in by_conversation],
            [final[cid].get(criterion, NAN) for cid in by_conversation],
        )
        table = [
            [by_conversation[cid].get(r, {}).get(criterion, NAN) for cid in shared]
            for r in reviewers
        ]
        units, alpha = interval_alpha(table) if shared else (0, None)
        report.append(
            {
                "criterion": criterion,
                "auto_vs_human": pair.as_dict() if pair else None,
                "between_reviewers": {"n": units, "alpha": alpha} if alpha is not None else None,
            }
        )
    return report
