"""Load evaluations into pandas: one row per conversation, its current evaluation's scores."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.db.models import ConversationRecord, Evaluation, RubricRecord, User

BASE_COLUMNS = [
    "conversation",
    "channel",
    "agent",
    "customer",
    "started_at",
    "status",
    "rubric",
    "kind",
    "score",
]


def evaluations_frame(session: Session, rubric_slug: str | None = None) -> pd.DataFrame:
    """Every conversation with the scores of its current evaluation (human beats automatic,
    newer beats older), one column per section; conversations never scored have NaN scores."""
    query = (
        select(
            ConversationRecord.id.label("cid"),
            ConversationRecord.external_id.label("conversation"),
            ConversationRecord.channel,
            User.name.label("agent"),
            ConversationRecord.customer_name.label("customer"),
            ConversationRecord.started_at,
            ConversationRecord.status,
            Evaluation.id.label("eid"),
            Evaluation.kind,
            Evaluation.score,
            Evaluation.sections,
            Evaluation.created_at.label("evaluated_at"),
            RubricRecord.slug,
            RubricRecord.version,
        )
        .outerjoin(User, User.id == ConversationRecord.agent_id)
        .outerjoin(Evaluation, Evaluation.conversation_id == ConversationRecord.id)
        .outerjoin(RubricRecord, RubricRecord.id == Evaluation.rubric_id)
    )
    rows = session.execute(query).mappings().all()
    frame = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    if rubric_slug is not None:
        frame = frame[frame["slug"].isna() | (frame["slug"] == rubric_slug)]
    if frame.empty:
        return pd.DataFrame(columns=BASE_COLUMNS)
    frame = frame.assign(is_human=frame["kind"].eq("human"))
    frame = frame.sort_values(["cid", "is_human", "evaluated_at", "eid"], na_position="first")
    frame = frame.drop_duplicates("cid", keep="last")
    frame["rubric"] = frame.apply(
        lambda r: f"{r['slug']}@{int(r['version'])}" if isinstance(r["slug"], str) else None, axis=1
    )
    sections = pd.json_normalize(frame["sections"].map(lambda s: s if isinstance(s, dict) else {}))
    sections.index = frame.index
    out = pd.concat([frame[BASE_COLUMNS], sections], axis=1)
    return out.sort_values("conversation").reset_index(drop=True)
