"""Transfers across contacts, per transferring agent (see trainer/analytics/transfers.py for the
rules), for the people who may see scorecards (Action.VIEW_SCORECARDS: an agent their own, a
lead their teams', reviewers, HR and admins everyone's).

A contact counts as transferred when its latest automatic evaluation scored the rubric's
transfer criterion (a `responsiveness.transfer_handoff` detector, any version): the detector
gives "not applicable" where nobody was transferred. Later contacts are looked for among every
conversation, whoever handled it; one the actor may not see is named "(not visible to you)".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.policy import visible_conversations
from trainer.analytics.transfers import transfer_outcomes, transfer_rows
from trainer.db.models import ConversationRecord, CriterionScore, Evaluation
from trainer.services.fcr import HIDDEN, contacts_frame, fcr_days

TRANSFER_DETECTOR = "responsiveness.transfer_handoff."  # a prefix: every version


def transferred_conversations(session: Session) -> set[int]:
    """Ids of the conversations whose latest automatic evaluation found a transfer."""
    latest = (
        select(func.max(Evaluation.id))
        .where(Evaluation.kind == "auto")
        .group_by(Evaluation.conversation_id)
    )
    query = (
        select(Evaluation.conversation_id)
        .join(CriterionScore, CriterionScore.evaluation_id == Evaluation.id)
        .where(
            Evaluation.id.in_(latest),
            CriterionScore.detector.startswith(TRANSFER_DETECTOR),
            CriterionScore.status == "scored",
        )
    )
    return set(session.scalars(query))


def transfer_report(
    session: Session,
    actor: Actor,
    *,
    days: int | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> dict:
    """The actor's transferred contacts (started between `since` and `until`, both days
    included, when given) and their outcomes: `days` (the window: `days`, else
    $TRAINER_FCR_DAYS, else 7), `rows` (per agent, see `transfer_rows`) and `contacts` (one per
    transferred contact: conversation, agent, started_at as ISO text, followed_up,
    transferred_again, pending)."""
    authorize(actor, Action.VIEW_SCORECARDS)
    window = fcr_days(days)
    contacts = contacts_frame(session)
    contacts["transferred"] = contacts["cid"].isin(transferred_conversations(session))
    outcomes = transfer_outcomes(contacts, window, now or datetime.now(UTC))
    visible_query = visible_conversations(
        actor, select(ConversationRecord.external_id), Action.VIEW_SCORECARDS
    )
    visible = set(session.scalars(visible_query))
    shown = outcomes["conversation"].isin(visible)
    day = pd.to_datetime(outcomes["started_at"], utc=True).dt.date
    if since is not None:
        shown &= day >= since
    if until is not None:
        shown &= day <= until
    outcomes = outcomes[shown].reset_index(drop=True)
    for column in ("followed_up", "transferred_again"):
        hidden = outcomes[column].notna() & ~outcomes[column].isin(visible)
        outcomes.loc[hidden, column] = HIDDEN
    listed = [
        {
            "conversation": row.conversation,
            "agent": row.agent if pd.notna(row.agent) else None,
            "started_at": pd.Timestamp(row.started_at).isoformat(),
            "followed_up": row.followed_up,
            "transferred_again": row.transferred_again,
            "pending": bool(row.pending),
        }
        for row in outcomes.sort_values("started_at").itertuples()
    ]
    return {"days": window, "rows": transfer_rows(outcomes), "contacts": listed}
