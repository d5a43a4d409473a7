"""Human reviews beside the machine's scores: a reviewer accepts or changes each criterion's
automatic value (with a reason code when it differs), comments, saves a draft and submits.

A review is its own `Evaluation` row (kind "human", status "draft" or "submitted", the reviewer,
per-criterion values, reasons and comments). Re-scoring replaces automatic evaluations only, so a
review is never touched by it. The conversation's final score is its newest submitted review,
else the automatic one, computed with the same formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor
from trainer.db.models import ConversationRecord, CriterionScore, Evaluation
from trainer.db.repository import counts_toward_scores, latest_evaluation
from trainer.errors import ReviewError
from trainer.scoring.formula import compute
from trainer.scoring.rubric import Criterion, Rubric, parse_rubric
from trainer.services.assignments import complete_assignments
from trainer.services.audit import record_event
from trainer.services.views import visible_conversation

#: Why a reviewer's value differs from the automatic one.
REASONS = ("incorrect_score", "wrong_evidence", "missing_evidence", "transcript_error")
NA = "na"


@dataclass(frozen=True)
class Judgement:
    """A reviewer's decision on one criterion: a value in [0, 1], or N/A (`value` None with
    `na` True); a reason code when it differs from the automatic value; a comment."""

    value: float | None = None
    na: bool = False
    reason: str | None = None
    comment: str = ""

    @classmethod
    def parse(cls, criterion: str, raw: dict | Judgement) -> Judgement:
        """From a dict as a form or API sends it: {"value": 0.5 | "na", "reason", "comment"}."""
        if isinstance(raw, Judgement):
            return raw
        value = raw.get("value")
        if isinstance(value, str) and value.strip().lower() in {NA, "n/a"}:
            return cls(None, True, raw.get("reason") or None, str(raw.get("comment") or ""))
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ReviewError(
                f"{value!r} is not a score", where=criterion, fix="give a value from 0 to 1, or N/A"
            ) from None
        if not 0.0 <= number <= 1.0:
            raise ReviewError(
                f"{number} is outside 0..1", where=criterion, fix="give a value from 0 to 1"
            )
        return cls(number, False, raw.get("reason") or None, str(raw.get("comment") or ""))


def _automatic(session: Session, record: ConversationRecord) -> Evaluation:
    auto = latest_evaluation(session, record)
    if auto is None:
        raise ReviewError(
            f"conversation {record.external_id!r} has no automatic score to review yet",
            fix=f"score it first: trainer score {record.external_id}",
        )
    return auto


def _mine(session: Session, record: ConversationRecord, actor: Actor, rubric_id: int):
    return session.scalar(
        select(Evaluation).where(
            Evaluation.conversation_id == record.id,
            Evaluation.rubric_id == rubric_id,
            Evaluation.kind == "human",
            Evaluation.reviewer_id == actor.id,
            Evaluation.status.in_(["draft", "submitted"]),
        )
    )


def check_judgements(
    rubric: Rubric, judgements: dict[str, Judgement], ref: str
) -> dict[str, Criterion]:
    """The rubric's criteria by id, once every judgement names one of them (`ref` names the
    rubric in the message) and gives N/A only where its criterion allows it; ReviewError
    naming the criterion otherwise. Reviews and calibration scores share these rules."""
    known = {criterion.id: criterion for _, criterion in rubric.criteria()}
    for criterion_id, judgement in judgements.items():
        if criterion_id not in known:
            raise ReviewError(
                f"no criterion {criterion_id!r} in {ref}", fix=f"use one of {', '.join(known)}"
            )
        if judgement.na and not known[criterion_id].na_allowed:
            raise ReviewError("N/A is not allowed here", where=criterion_id, fix="give a value")
    return known


def _values(
    rubric: Rubric, auto: Evaluation, judgements: dict[str, Judgement]
) -> dict[str, tuple[float | None, bool, Judgement | None]]:
    """Each criterion's (value, N/A, judgement): the reviewer's where given, else accepted."""
    known = check_judgements(rubric, judgements, auto.rubric.ref)
    automatic = {cs.criterion_id: cs for cs in auto.criterion_scores}
    values = {}
    for criterion_id in known:
        machine = automatic.get(criterion_id)
        machine_value = machine.value if machine is not None else None
        machine_na = machine is not None and machine.status == "na"
        judgement = judgements.get(criterion_id)
        if judgement is None:
            values[criterion_id] = (machine_value, machine_na, None)
            continue
        # Deciding what the machine left unscored is not overriding it: no reason is asked.
        unscored = machine is None or (machine_value is None and not machine_na)
        changed = not unscored and (
            (judgement.na != machine_na) or (not judgement.na and judgement.value != machine_value)
        )
        if changed and judgement.reason not in REASONS:
            raise ReviewError(
                "a changed score needs a reason",
                where=criterion_id,
                fix=f"give one of {', '.join(REASONS)}",
            )
        values[criterion_id] = (judgement.value, judgement.na, judgement)
    return values


def save_review(
    session: Session,
    actor: Actor,
    external_id: str,
    judgements: dict[str, dict | Judgement],
    *,
    comment: str = "",
    submit: bool = False,
) -> dict:
    """Save the actor's review of a conversation (a draft, or `submit`ted). Criteria not named
    keep the automatic value (accepted). A submitted review is final: disputes change it."""
    record = visible_conversation(session, actor, external_id, Action.REVIEW_SCORE)
    if actor.id is None:
        raise ReviewError("a review is written by a person with an account", fix="use --as USER")
    auto = _automatic(session, record)
    rubric = parse_rubric(auto.rubric.definition, source=auto.rubric.ref)
    parsed = {cid: Judgement.parse(cid, raw) for cid, raw in judgements.items()}
    values = _values(rubric, auto, parsed)
    result = compute(rubric, {cid: v for cid, (v, na, _) in values.items() if not na})
    review = _mine(session, record, actor, auto.rubric_id)
    before = review_view(review) if review is not None else None
    if review is not None and review.status == "submitted":
        raise ReviewError(
            "your review of this conversation is submitted already",
            where=external_id,
            fix="a submitted review changes through a dispute",
        )
    if review is None:
        review = Evaluation(
            conversation_id=record.id,
            rubric_id=auto.rubric_id,
            kind="human",
            reviewer_id=actor.id,
            pipeline="human",
        )
        session.add(review)
    else:
        review.criterion_scores.clear()  # a draft saved again: its old rows go first
        session.flush()
    sections_of = {criterion.id: section.id for section, criterion in rubric.criteria()}
    machine = {cs.criterion_id: cs.value for cs in auto.criterion_scores}
    review.criterion_scores = [
        CriterionScore(
            section_id=sections_of[cid],
            criterion_id=cid,
            status="na" if na else ("scored" if value is not None else "unscored"),
            value=None if na else value,
            explanation=(judgement.comment if judgement else "") or "accepted",
            comment=(judgement.comment or None) if judgement else None,
            override_reason=judgement.reason if judgement else None,
            overridden_from=machine.get(cid) if judgement and judgement.reason else None,
            overridden_by_id=actor.id if judgement else None,
            evidence=[],
        )
        for cid, (value, na, judgement) in values.items()
    ]
    review.status = "submitted" if submit else "draft"
    review.score, review.sections = result.score, dict(result.sections)
    review.comment = comment.strip() or None
    review.submitted_at = datetime.now(UTC) if submit else None
    session.flush()
    if submit:  # the reviewer's open queue item of this conversation is done
        complete_assignments(session, actor.id, record.id)
    after = review_view(review)
    record_event(
        session,
        actor,
        "review.submit" if submit else "review.save",
        object_type="conversation",
        object_id=external_id,
        before=_audit_summary(before),
        after=_audit_summary(after),
    )
    return after


def _audit_summary(view: dict | None) -> dict | None:
    if view is None:
        return None
    return {
        "status": view["status"],
        "score": view["score"],
        "changed": {c["id"]: c["value"] for c in view["criteria"] if c["reason"]},
    }


def review_view(review: Evaluation) -> dict:
    """A human review as plain data (`trainer show --format json`'s `reviews`)."""
    return {
        "id": review.id,
        "reviewer": review.reviewer.name if review.reviewer else None,
        "reviewer_id": review.reviewer_id,
        "status": review.status,
        "score": review.score,
        "sections": dict(review.sections or {}),
        "comment": review.comment,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "criteria": [
            {
                "id": cs.criterion_id,
                "section": cs.section_id,
                "value": cs.value,
                "na": cs.status == "na",
                "automatic": cs.overridden_from,  # the machine's value where it was changed
                "reason": cs.override_reason,
                "comment": cs.comment,
            }
            for cs in review.criterion_scores
        ],
    }


def reviews_of(session: Session, actor: Actor, record: ConversationRecord) -> list[dict]:
    """The reviews of a conversation the actor may read: every submitted one, and their own
    draft (someone else's draft is their unfinished work)."""
    rows = session.scalars(
        select(Evaluation)
        .where(Evaluation.conversation_id == record.id, Evaluation.kind == "human")
        .options(selectinload(Evaluation.criterion_scores))
        .order_by(Evaluation.created_at, Evaluation.id)
    ).all()
    return [
        review_view(r)
        for r in rows
        if r.status == "submitted" or (actor.id is not None and r.reviewer_id == actor.id)
    ]


def final_evaluation(session: Session, record: ConversationRecord) -> Evaluation | None:
    """The evaluation that counts: the newest submitted review, else the newest automatic one."""
    return session.scalar(
        select(Evaluation)
        .where(
            Evaluation.conversation_id == record.id,
            counts_toward_scores(),
        )
        .order_by(
            (Evaluation.kind == "human").desc(),
            Evaluation.submitted_at.desc().nulls_last(),
            Evaluation.created_at.desc(),
            Evaluation.id.desc(),
        )
        .limit(1)
    )


def review_context(session: Session, actor: Actor, external_id: str) -> dict:
    """What the review page needs beside `conversation_view`: the definition of the rubric
    that scored the conversation (scales, N/A, auto-fail; None before scoring), and whether
    the actor may review it and correct its transcript (the policy's answers)."""
    from trainer.access import can
    from trainer.access.policy import conversation_subject

    record = visible_conversation(session, actor, external_id)
    auto = latest_evaluation(session, record)
    subject = conversation_subject(record)
    return {
        "rubric": dict(auto.rubric.definition) if auto is not None else None,
        "can_review": actor.id is not None
        and record.channel != "roleplay"
        and can(actor, Action.REVIEW_SCORE, subject),
        "can_correct": record.channel != "roleplay"
        and can(actor, Action.CORRECT_TRANSCRIPT, subject),
    }
