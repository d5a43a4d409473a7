"""Read models for people: a conversation's review, the conversations list, the scorecard."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from trainer.analytics.frames import evaluations_frame
from trainer.analytics.scorecards import agent_scorecard
from trainer.db.repository import latest_evaluation, require_conversation
from trainer.scoring.rubric import parse_rubric


def conversation_view(session: Session, external_id: str) -> dict:
    """The review of one conversation: turns, scores, criteria with evidence (`show --format json`).

    Evidence `turn` is the 0-based index into `turns`; `start`/`end` are character offsets in it.
    """
    record = require_conversation(session, external_id)
    evaluation = latest_evaluation(session, record)
    titles: dict[str, str] = {}
    if evaluation is not None:
        rubric = parse_rubric(evaluation.rubric.definition, source=evaluation.rubric.ref)
        titles = {c.id: c.title for _, c in rubric.criteria()}
    return {
        "conversation": record.external_id,
        "channel": record.channel,
        "agent": record.agent.name if record.agent else None,
        "customer": record.customer_name,
        "started_at": record.started_at.isoformat() if record.started_at else None,
        "status": record.status,
        "status_reason": record.status_reason,
        "rubric": evaluation.rubric.ref if evaluation else None,
        "evaluation_kind": evaluation.kind if evaluation else None,
        "score": evaluation.score if evaluation else None,
        "sections": dict(evaluation.sections) if evaluation else {},
        "criteria": [
            {
                "id": cs.criterion_id,
                "section": cs.section_id,
                "title": titles.get(cs.criterion_id, cs.criterion_id),
                "status": cs.status,
                "value": cs.value,
                "na": cs.status == "na",
                "explanation": cs.explanation,
                "detector": cs.detector,
                "evidence": [
                    {"turn": e["turn"], "start": e["start"], "end": e["end"]}
                    for e in cs.evidence or []
                ],
            }
            for cs in (evaluation.criterion_scores if evaluation else [])
        ],
        "turns": [_turn_view(t) for t in record.turns],
    }


def _turn_view(turn) -> dict:
    """A stored turn; transcribed calls add their word timestamps as [word, start, end]."""
    view = {"speaker": turn.speaker, "text": turn.text, "start": turn.start, "end": turn.end}
    if turn.words:
        view["words"] = [list(w) for w in turn.words]
    return view


@dataclass(frozen=True)
class ConversationFilter:
    """Filters of the conversations list."""

    agent: str | None = None
    channel: str | None = None
    min_score: float | None = None
    max_score: float | None = None


def list_conversations(session: Session, filters: ConversationFilter | None = None) -> list[dict]:
    """Conversations with their current score, filtered by agent, channel and score range."""
    filters = filters or ConversationFilter()
    frame = evaluations_frame(session)
    if filters.agent:
        frame = frame[frame["agent"] == filters.agent]
    if filters.channel:
        frame = frame[frame["channel"] == filters.channel]
    if filters.min_score is not None:
        frame = frame[frame["score"].astype(float) >= filters.min_score]
    if filters.max_score is not None:
        frame = frame[frame["score"].astype(float) <= filters.max_score]
    frame = frame.astype(object).where(pd.notna(frame), None)
    rows = frame.to_dict(orient="records")
    for row in rows:
        if row.get("started_at") is not None:
            row["started_at"] = pd.Timestamp(row["started_at"]).isoformat()
    return rows


def scorecard(session: Session) -> list[dict]:
    """Section averages per agent, as rows (the scorecard page and `trainer report`)."""
    card = agent_scorecard(evaluations_frame(session))
    card = card.astype(object).where(pd.notna(card), None)
    return card.to_dict(orient="records")
