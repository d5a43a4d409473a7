"""What a coaching session shows beside the notes: the linked conversations with their final
scores and evidence, the agent's scores on the session's criterion before and after it was
opened, and their role-play attempts at the assigned scenario (the closed loop: QA miss ->
practice -> re-measured).

Read-only helpers for `trainer.services.coaching`, which asks the policy before calling them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.access import Actor
from trainer.db.models import (
    ConversationRecord,
    CriterionScore,
    Evaluation,
    RoleplayAttempt,
    RubricRecord,
)
from trainer.db.repository import counts_toward_scores, latest_evaluation
from trainer.errors import TrainerError
from trainer.roleplay.loader import list_scenarios
from trainer.scoring.rubric import parse_rubric
from trainer.services.scoring import resolve_rubric

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(moment: datetime | None) -> datetime | None:
    """A datetime in UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO text of a moment in UTC, None for none."""
    moment = utc(moment)
    return moment.isoformat() if moment else None


# --- rubric criteria and scenarios --------------------------------------------------------------


def criteria_index(session: Session) -> dict[str, dict]:
    """Every criterion a coach may name, by id: the shipped default rubric's, then those of
    the rubrics stored with scores (a newer stored version wins). Titles and order come from
    the rubric."""
    index: dict[str, dict] = {}

    def add(rubric) -> None:
        for section, criterion in rubric.criteria():
            index[criterion.id] = {
                "id": criterion.id,
                "title": criterion.title,
                "section": section.id,
                "section_title": section.title,
            }

    try:
        add(resolve_rubric(None))
    except TrainerError:  # a broken shipped rubric leaves the stored ones
        pass
    for record in session.scalars(select(RubricRecord).order_by(RubricRecord.version)):
        try:
            add(parse_rubric(record.definition, source=record.ref))
        except TrainerError:
            continue
    return index


def scenario_options(section: str | None = None) -> list[dict]:
    """The shipped scenarios as {id, title, difficulty, skills, practises}: `practises` is
    true where the scenario trains `section` (a criterion's rubric section); those first."""
    rows = [
        {
            "id": s.id,
            "title": s.title,
            "difficulty": s.difficulty,
            "skills": list(s.skills),
            "practises": section is not None and section in s.skills,
        }
        for s in list_scenarios()
    ]
    return sorted(rows, key=lambda r: (not r["practises"], r["id"]))


# --- linked conversations -----------------------------------------------------------------------


def _quote(record: ConversationRecord, evidence: dict) -> dict:
    """One piece of evidence with the words it points at."""
    turn = int(evidence.get("turn", 0))
    text, speaker = "", ""
    if 0 <= turn < len(record.turns):
        row = record.turns[turn]
        speaker = row.speaker
        start, end = evidence.get("start"), evidence.get("end")
        text = row.text[start:end] if start is not None and end is not None else row.text
    return {"turn": turn, "speaker": speaker, "quote": evidence.get("quote") or text}


def linked_conversation(
    session: Session, actor: Actor, external_id: str, focus: str | None, titles: dict[str, dict]
) -> dict:
    """A linked conversation as the session shows it: date, final score (human where
    reviewed), and per criterion missed (the session's criterion first) the final value, the
    machine's explanation and its evidence. One the viewer may not see reads {"visible":
    False} and nothing else."""
    from trainer.services.reviews import final_evaluation  # reviews imports views
    from trainer.services.views import visible_conversation

    try:
        record = visible_conversation(session, actor, external_id)
    except TrainerError:
        return {"conversation": external_id, "visible": False}
    final = final_evaluation(session, record)
    auto = latest_evaluation(session, record)
    machine = {cs.criterion_id: cs for cs in (auto.criterion_scores if auto else [])}
    criteria = []
    for cs in final.criterion_scores if final else []:
        missed = cs.value is not None and cs.status == "scored" and cs.value < 1.0
        if cs.criterion_id != focus and not missed:
            continue
        automatic = machine.get(cs.criterion_id)
        criteria.append(
            {
                "id": cs.criterion_id,
                "title": titles.get(cs.criterion_id, {}).get("title", cs.criterion_id),
                "value": cs.value if cs.status == "scored" else None,
                "na": cs.status == "na",
                "automatic": automatic.value if automatic else None,
                "explanation": (automatic.explanation if automatic else None) or cs.explanation,
                "evidence": [_quote(record, e) for e in (automatic.evidence if automatic else [])],
                "focus": cs.criterion_id == focus,
            }
        )
    criteria.sort(key=lambda c: not c["focus"])
    return {
        "conversation": record.external_id,
        "visible": True,
        "channel": record.channel,
        "started_at": iso(record.started_at or record.created_at),
        "score": final.score if final else None,
        "kind": final.kind if final else None,
        "criteria": criteria,
    }


# --- before and after ---------------------------------------------------------------------------


def _final_ids(session: Session, agent_id: int) -> dict[int, tuple[int, datetime]]:
    """conversation id -> (its final evaluation's id, when it happened) for the agent's QA
    conversations: the newest submitted review, else the newest automatic evaluation (the
    order of `reviews.final_evaluation`), role-plays left out."""
    rows = session.execute(
        select(
            Evaluation.id,
            Evaluation.conversation_id,
            Evaluation.kind,
            Evaluation.submitted_at,
            Evaluation.created_at,
            ConversationRecord.started_at,
            ConversationRecord.created_at.label("stored_at"),
        )
        .join(ConversationRecord, ConversationRecord.id == Evaluation.conversation_id)
        .where(
            ConversationRecord.agent_id == agent_id,
            ConversationRecord.channel != "roleplay",
            counts_toward_scores(),
        )
    ).all()
    best: dict[int, tuple] = {}
    for row in rows:
        rank = (
            row.kind == "human",
            utc(row.submitted_at) or _EPOCH,
            utc(row.created_at) or _EPOCH,
            row.id,
        )
        if row.conversation_id not in best or rank > best[row.conversation_id][0]:
            when = utc(row.started_at) or utc(row.stored_at) or _EPOCH
            best[row.conversation_id] = (rank, row.id, when)
    return {cid: (eid, when) for cid, (_rank, eid, when) in best.items()}


def _summary(values: list[float]) -> dict:
    return {"mean": round(fmean(values), 4) if values else None, "n": len(values)}


def before_after(session: Session, agent_id: int, criterion: str, moment: datetime) -> dict:
    """The agent's final values on `criterion` (0..1; N/A and unscored left out) in their
    conversations before `moment` and from it on: {"before": {"mean", "n"}, "after": ...}."""
    finals = _final_ids(session, agent_id)
    moment = utc(moment) or _EPOCH
    when_of = {eid: when for eid, when in finals.values()}
    before: list[float] = []
    after: list[float] = []
    if when_of:
        values = session.execute(
            select(CriterionScore.evaluation_id, CriterionScore.value).where(
                CriterionScore.evaluation_id.in_(list(when_of)),
                CriterionScore.criterion_id == criterion,
                CriterionScore.status == "scored",
                CriterionScore.value.is_not(None),
            )
        ).all()
        for evaluation_id, value in values:
            (before if when_of[evaluation_id] < moment else after).append(float(value))
    return {"before": _summary(before), "after": _summary(after)}


# --- practice -----------------------------------------------------------------------------------


def practice(session: Session, agent_id: int, scenario_id: str, since: datetime) -> dict:
    """The agent's finished attempts at the scenario: how many, how many passed, the best and
    latest score, and how many since `since` (the session was opened)."""
    rows = session.scalars(
        select(RoleplayAttempt)
        .where(
            RoleplayAttempt.trainee_id == agent_id,
            RoleplayAttempt.scenario_id == scenario_id,
            RoleplayAttempt.status == "finished",
        )
        .order_by(RoleplayAttempt.finished_at, RoleplayAttempt.id)
    ).all()
    since = utc(since) or _EPOCH
    scores = [r.score for r in rows if r.score is not None]
    return {
        "attempts": len(rows),
        "passed": sum(1 for r in rows if r.passed),
        "best_score": max(scores) if scores else None,
        "latest_score": rows[-1].score if rows else None,
        "attempts_since": sum(1 for r in rows if (utc(r.finished_at) or _EPOCH) >= since),
        "last_at": iso(rows[-1].finished_at) if rows else None,
    }
