"""Follow-up promises agents make ("I'll call you back by Friday"): stored with their due date and
owner when a conversation is scored, and reported as open, kept or broken per agent.

Extraction is a machine step, like automatic scoring: `track_promises` runs after each
conversation is scored (trainer/services/scoring.py) and `trainer report promises --refresh`
re-runs it over what the actor may see. Re-extraction is idempotent (one row per agent turn and
sentence; rows whose sentence is gone are dropped). Due dates count from the conversation's
start, with day boundaries ("by end of day") in $TRAINER_TIMEZONE (an IANA name, default UTC).
Reports are for those who may see scorecards (Action.VIEW_SCORECARDS), narrowed by the policy.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize
from trainer.access.policy import visible_conversations
from trainer.analytics.promises import (
    find_promises,
    promise_statuses,
    promise_summary,
    resolve_due,
    same_customer,
)
from trainer.db.models import ConversationRecord, FollowUpPromise, User
from trainer.db.repository import to_conversation
from trainer.errors import ReportError
from trainer.scoring.context import ScoringContext
from trainer.services.fcr import contacts_frame

TIMEZONE_ENV = "TRAINER_TIMEZONE"
# The promise's owner as reports name agents: the account, else the name the source gave.
AGENT_NAME = func.coalesce(User.name, ConversationRecord.agent_name)


def timezone() -> ZoneInfo:
    """The zone day boundaries are counted in: $TRAINER_TIMEZONE, else UTC."""
    name = os.environ.get(TIMEZONE_ENV, "").strip() or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            f"unknown time zone {name!r}", where=TIMEZONE_ENV, fix="use an IANA name: Europe/Paris"
        ) from None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns: they are UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def track_promises(session: Session, record: ConversationRecord) -> list[FollowUpPromise]:
    """Store the conversation's promises (idempotent), and mark earlier promises of its agent
    to this customer that it keeps. A machine step with no actor; role-play is practice and
    a conversation with no start time cannot date a promise, so both are skipped."""
    if record.channel == "roleplay" or record.started_at is None:
        return []
    started = _aware(record.started_at)
    found = {(p.turn, p.text): p for p in find_promises(to_conversation(record))}
    existing = {
        (p.turn, p.text): p
        for p in session.scalars(
            select(FollowUpPromise).where(FollowUpPromise.conversation_id == record.id)
        )
    }
    stored = _sync_promises(session, record, found, existing, started, timezone())
    _mark_kept_by(session, record, started)
    session.flush()
    return stored


def track_promises_many(
    session: Session, scored: list[tuple[ConversationRecord, ScoringContext]]
) -> None:
    """`track_promises` for a batch of just-scored conversations, reading each through the
    context it was scored with (no second parse): one query for their stored promises and one
    for the open promises they may keep. An earlier promise kept by several of them is marked
    kept by the earliest."""
    tracked = [(r, ctx) for r, ctx in scored if r.channel != "roleplay" and r.started_at]
    if not tracked:
        return
    existing: dict[int, dict[tuple[int, str], FollowUpPromise]] = defaultdict(dict)
    for row in session.scalars(
        select(FollowUpPromise).where(
            FollowUpPromise.conversation_id.in_([r.id for r, _ in tracked])
        )
    ):
        existing[row.conversation_id][(row.turn, row.text)] = row
    zone = timezone()
    for record, ctx in tracked:
        found = {(p.turn, p.text): p for p in find_promises(ctx.conversation, ctx)}
        _sync_promises(session, record, found, existing[record.id], _aware(record.started_at), zone)
    session.flush()
    _mark_kept_by_many(session, [r for r, _ in tracked])
    session.flush()


def _mark_kept_by_many(session: Session, records: list[ConversationRecord]) -> None:
    """`_mark_kept_by` for many conversations with one query, earliest contact first."""
    agents = {r.agent_id for r in records if r.agent_id is not None}
    if not agents:
        return
    open_by_agent: dict[int, list] = defaultdict(list)
    for promise, promised_in in session.execute(
        select(FollowUpPromise, ConversationRecord)
        .join(ConversationRecord, ConversationRecord.id == FollowUpPromise.conversation_id)
        .where(
            FollowUpPromise.agent_id.in_(sorted(agents)),
            FollowUpPromise.kept_conversation_id.is_(None),
        )
        .order_by(FollowUpPromise.id)
    ):
        open_by_agent[promise.agent_id].append((promise, promised_in))
    for record in sorted(records, key=lambda r: (_aware(r.started_at), r.id)):
        started = _aware(record.started_at)
        for promise, promised_in in open_by_agent.get(record.agent_id, ()):
            if promise.kept_conversation_id is not None or promised_in.id == record.id:
                continue
            due = _aware(promise.due_at)
            if _aware(promised_in.started_at) >= started or (due is not None and started > due):
                continue
            if same_customer(
                promised_in.customer_ref,
                promised_in.customer_name,
                record.customer_ref,
                record.customer_name,
            ):
                promise.kept_conversation_id = record.id


def _sync_promises(
    session: Session,
    record: ConversationRecord,
    found: dict,
    existing: dict[tuple[int, str], FollowUpPromise],
    started: datetime,
    zone: ZoneInfo,
) -> list[FollowUpPromise]:
    """Make the stored promises of one conversation the ones found (drop, add, re-date)."""
    for key, row in existing.items():
        if key not in found:
            session.delete(row)
    stored = []
    for key, promise in found.items():
        row = existing.get(key) or FollowUpPromise(
            conversation_id=record.id, turn=key[0], text=key[1]
        )
        row.agent_id = record.agent_id
        row.due_at = resolve_due(promise.time_frame, started, zone, promise.text)
        if row.id is None:
            session.add(row)
        stored.append(row)
    return stored


def _mark_kept_by(session: Session, record: ConversationRecord, started: datetime) -> None:
    """Earlier open promises of this agent to this customer that this contact keeps."""
    if record.agent_id is None:
        return
    candidates = session.execute(
        select(FollowUpPromise, ConversationRecord)
        .join(ConversationRecord, ConversationRecord.id == FollowUpPromise.conversation_id)
        .where(
            FollowUpPromise.agent_id == record.agent_id,
            FollowUpPromise.kept_conversation_id.is_(None),
            ConversationRecord.id != record.id,
        )
    ).all()
    for promise, promised_in in candidates:
        due = _aware(promise.due_at)
        if _aware(promised_in.started_at) >= started or (due is not None and started > due):
            continue
        if same_customer(
            promised_in.customer_ref,
            promised_in.customer_name,
            record.customer_ref,
            record.customer_name,
        ):
            promise.kept_conversation_id = record.id


def refresh_promises(session: Session, actor: Actor) -> int:
    """Extract promises again from every conversation the actor may see (after a pattern
    change, or for conversations scored before promises were tracked). Returns how many
    promises are stored for them."""
    authorize(actor, Action.VIEW_SCORECARDS)
    query = visible_conversations(
        actor, select(ConversationRecord), Action.VIEW_SCORECARDS
    ).options(selectinload(ConversationRecord.turns), selectinload(ConversationRecord.agent))
    records = session.scalars(query.order_by(ConversationRecord.started_at)).all()
    return sum(len(track_promises(session, record)) for record in records)


def promises_frame(session: Session, actor: Actor, agent: str | None = None) -> pd.DataFrame:
    """The stored promises the actor may see (optionally one agent's, by name)."""
    query = visible_conversations(
        actor,
        select(
            FollowUpPromise.id,
            AGENT_NAME.label("agent"),
            ConversationRecord.external_id.label("conversation"),
            ConversationRecord.started_at,
            ConversationRecord.customer_ref,
            ConversationRecord.customer_name.label("customer"),
            FollowUpPromise.turn,
            FollowUpPromise.text,
            FollowUpPromise.due_at,
        )
        .join(ConversationRecord, ConversationRecord.id == FollowUpPromise.conversation_id)
        .outerjoin(User, User.id == FollowUpPromise.agent_id),
        Action.VIEW_SCORECARDS,
    )
    if agent:
        query = query.where(AGENT_NAME == agent)
    rows = session.execute(query.order_by(FollowUpPromise.id)).mappings().all()
    frame = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["due_at"] = pd.to_datetime(frame["due_at"], utc=True)
    return frame


def promise_report(
    session: Session, actor: Actor, *, agent: str | None = None, now: datetime | None = None
) -> dict:
    """`agents`: per agent the number of promises open, kept and broken (and the kept rate);
    `promises`: each one with its agent, conversation, turn, text, due date, status and the
    contact that kept it (withheld as None when the actor may not see that conversation)."""
    authorize(actor, Action.VIEW_SCORECARDS)
    frame = promises_frame(session, actor, agent)
    contacts = contacts_frame(session)
    statuses = promise_statuses(frame, contacts, now or datetime.now(UTC))
    visible = set(
        session.scalars(
            visible_conversations(
                actor, select(ConversationRecord.external_id), Action.VIEW_SCORECARDS
            )
        )
    )
    promises = [
        {
            "id": int(row.id),
            "agent": row.agent,
            "conversation": row.conversation,
            "turn": int(row.turn),
            "text": row.text,
            "promised_at": row.started_at.isoformat(),
            "due_at": None if pd.isna(row.due_at) else row.due_at.isoformat(),
            "status": row.status,
            "kept_by": row.kept_by if row.kept_by in visible else None,
        }
        for row in statuses.itertuples(index=False)
    ]
    return {"agents": promise_summary(statuses), "promises": promises}
