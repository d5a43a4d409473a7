"""The audit log: every change a person makes, as an append-only row written in the same
transaction as the change. Only admins read it; nothing in the app edits or deletes it (and the
database's triggers refuse to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.db.models import AuditEvent


def record_event(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Append one audit row (flushed, committed with the caller's transaction). `actor` None is
    someone not logged in (a failed login names what they typed in `actor_name`)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=(actor.name if actor else actor_name) or "anonymous",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit log view: action (prefix, e.g. `login`), who, object, time range."""

    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    session: Session,
    actor: Actor,
    filters: AuditFilter | None = None,
    *,
    limit: int = 200,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """(total matching, one page of rows newest first) of the audit log; admins only."""
    authorize(actor, Action.VIEW_AUDIT)
    f = filters or AuditFilter()
    query = select(AuditEvent)
    if f.action:
        query = query.where(
            (AuditEvent.action == f.action) | AuditEvent.action.startswith(f"{f.action}.")
        )
    if f.actor:
        query = query.where(AuditEvent.actor_name.ilike(f"%{f.actor}%"))
    if f.object_type:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        query = query.where(AuditEvent.object_id == f.object_id)
    if f.since:
        query = query.where(AuditEvent.at >= f.since)
    if f.until:
        query = query.where(AuditEvent.at <= f.until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    return total, [event_view(row) for row in rows]


def event_view(row: AuditEvent) -> dict:
    """One audit row as plain data."""
    return {
        "id": row.id,
        "at": row.at.isoformat() if row.at else None,
        "actor": row.actor_name,
        "actor_id": row.actor_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "before": row.before,
        "after": row.after,
        "detail": row.detail,
    }
