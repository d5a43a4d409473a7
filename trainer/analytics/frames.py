"""Load evaluations into pandas: one row per conversation, its current evaluation's scores."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from trainer.db.models import ConversationRecord, Evaluation, RubricRecord, User
from trainer.db.repository import counts_toward_scores

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


def evaluations_frame(
    session: Session,
    rubric_slug: str | None = None,
    narrow: Callable[[Select], Select] | None = None,
    include_roleplay: bool = False,
) -> pd.DataFrame:
    """Every conversation with the scores of its current evaluation (human beats automatic,
    newer beats older), one column per section; conversations never scored have NaN scores.

    `narrow` restricts the SELECT (the caller's visibility policy); role-play attempts are
    practice, not QA, and stay out unless `include_roleplay`. The agent is the linked account's
    name, else the name the source gave."""
    query = (
        select(
            ConversationRecord.id.label("cid"),
            ConversationRecord.external_id.label("conversation"),
            ConversationRecord.channel,
            func.coalesce(User.name, ConversationRecord.agent_name).label("agent"),
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
        .outerjoin(
            Evaluation,
            (Evaluation.conversation_id == ConversationRecord.id) & counts_toward_scores(),
        )
        .outerjoin(RubricRecord, RubricRecord.id == Evaluation.rubric_id)
    )
    if not include_roleplay:
        query = query.where(ConversationRecord.channel != "roleplay")
    if narrow is not None:
        query = narrow(query)
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
