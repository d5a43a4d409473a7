"""The bottom of a scorecard's drill-down: the conversations behind one criterion's figure,
with the final value, why (the reviewer's comment or the detector's explanation) and the
evidence (turn, character span and the words quoted from the transcript).

Human reviews keep no evidence of their own: the evidence shown is the automatic evaluation's
for the same criterion, which is what the reviewer looked at."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.db.models import CriterionScore, Evaluation, TurnRecord
from trainer.services.scorecard_data import ScorecardData

QUOTE_CHARS = 160


def evidence_rows(session: Session, data: ScorecardData, criterion: str, limit: int) -> list[dict]:
    """One dict per conversation whose final evaluation scored `criterion`, worst value first
    (then newest), at most `limit`."""
    values = data.criterion_values
    if values is None or values.empty:
        return []
    merged = values.merge(data.conversations, on="conversation", how="inner")
    merged = merged.sort_values(["value", "at"], ascending=[True, False]).head(limit)
    cids = [int(c) for c in merged["conversation"]]
    finals = _scores(session, criterion, [int(e) for e in merged["evaluation"]])
    automatic = _automatic(session, criterion, cids)
    quotes = _turns(session, cids, automatic)
    rows = []
    for item in merged.itertuples(index=False):
        final = finals.get(int(item.evaluation))
        auto = automatic.get(int(item.conversation))
        explanation = (final.comment or final.explanation) if final is not None else ""
        if item.kind != "human" or not explanation or explanation == "accepted":
            explanation = auto.explanation if auto is not None else explanation
        evidence = []
        for e in (auto.evidence if auto is not None else None) or []:
            text = quotes.get((int(item.conversation), int(e["turn"])), "")
            evidence.append(
                {
                    "turn": int(e["turn"]),
                    "start": int(e["start"]),
                    "end": int(e["end"]),
                    "quote": text[int(e["start"]) : int(e["end"])][:QUOTE_CHARS],
                }
            )
        rows.append(
            {
                "conversation": item.external_id,
                "href": f"/conversations/{item.external_id}",
                "at": item.at.isoformat() if item.at is not None else None,
                "value": round(float(item.value), 1),
                "kind": item.kind,
                "score": None if item.score != item.score else round(float(item.score), 1),
                "explanation": explanation or "",
                "reason": final.override_reason if final is not None else None,
                "evidence": evidence,
            }
        )
    return rows


def _scores(session: Session, criterion: str, evaluation_ids: list[int]) -> dict:
    """The criterion's score row in each final evaluation, by evaluation id."""
    rows = session.scalars(
        select(CriterionScore).where(
            CriterionScore.evaluation_id.in_(evaluation_ids),
            CriterionScore.criterion_id == criterion,
        )
    )
    return {row.evaluation_id: row for row in rows}


def _automatic(session: Session, criterion: str, conversation_ids: list[int]) -> dict:
    """The criterion's score in each conversation's newest automatic evaluation."""
    rows = session.execute(
        select(Evaluation.conversation_id, CriterionScore)
        .join(CriterionScore, CriterionScore.evaluation_id == Evaluation.id)
        .where(
            Evaluation.conversation_id.in_(conversation_ids),
            Evaluation.kind == "auto",
            CriterionScore.criterion_id == criterion,
        )
        .order_by(Evaluation.created_at, Evaluation.id)
    )
    return {cid: score for cid, score in rows}  # later rows (newer) win


def _turns(session: Session, conversation_ids: list[int], automatic: dict) -> dict:
    """The text of every turn the evidence points at, by (conversation id, position)."""
    wanted = {
        (cid, int(e["turn"])) for cid, score in automatic.items() for e in score.evidence or []
    }
    if not wanted:
        return {}
    rows = session.execute(
        select(TurnRecord.conversation_id, TurnRecord.position, TurnRecord.text).where(
            TurnRecord.conversation_id.in_(conversation_ids),
            TurnRecord.position.in_(sorted({p for _, p in wanted})),
        )
    )
    return {(cid, pos): text for cid, pos, text in rows if (cid, pos) in wanted}
