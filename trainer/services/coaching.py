"""Coaching: a team lead (or an admin) opens a coaching session for an agent of their team,
links the conversations it is about, writes notes the agent sees and private notes, sets a
criterion to work on, assigns a role-play scenario that practises it, adds action items with due
dates, sets a follow-up date, and closes or reopens it.

Who may do what (Action.COACHING): the coached agent reads their own sessions, never the private
notes (the view leaves them out, not the page), and marks their own action items done; a lead
reads and edits the sessions of their teams' agents; an admin all. Anyone else's session does
not exist for an actor ("not found"). Every change is audited in the same transaction, and bad
input is refused with a CoachingError before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, can, scope_of
from trainer.access.policy import Scope, Subject, not_found
from trainer.db.models import CoachingAction, CoachingSession, User, team_members
from trainer.errors import CoachingError, ForbiddenError, TrainerError
from trainer.services import coaching_measures as measures
from trainer.services.audit import record_event

MAX_TITLE = 200
MAX_NOTES = 20_000
MAX_ACTION = 1_000
MAX_LINKS = 50
STATUSES = ("open", "closed")
COACHED_ROLE = "agent"  # the one role whose people read their own sessions (DESIGN.md)
_SCENARIO_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,119}")
# Fields `update_session` changes, as its callers name them.
EDITABLE = (
    "title",
    "criterion",
    "conversations",
    "scenario",
    "follow_up",
    "shared_notes",
    "private_notes",
)


# --- the policy's view --------------------------------------------------------------------------


def coaches(actor: Actor) -> bool:
    """True when the actor's role coaches others (leads: their teams; admins: everyone)."""
    return scope_of(actor, Action.COACHING) in (Scope.TEAM, Scope.ALL)


def _person_subject(user: User, label: str) -> Subject:
    return Subject(label=label, owner_id=user.id, owner_team_ids=user.team_ids)


def _is_coach_of(actor: Actor, agent: User) -> bool:
    """The actor coaches this agent: a coaching role whose scope reaches them, not themself."""
    return (
        coaches(actor)
        and actor.id != agent.id
        and can(actor, Action.COACHING, _person_subject(agent, f"agent {agent.name!r}"))
    )


def _refuse_non_coach(actor: Actor, what: str) -> ForbiddenError:
    return ForbiddenError(
        f"a {actor.role} may not {what}",
        where=actor.name,
        fix="coaching sessions are opened and edited by the agent's team lead or an admin",
    )


def _require_session(
    session: Session, actor: Actor, session_id: int | str
) -> tuple[CoachingSession, bool]:
    """The session and whether the actor is its coach; "not found" for a missing one and for
    one the actor may not see (the two read alike)."""
    label = f"coaching session {session_id}"
    try:
        key = int(session_id)
    except (TypeError, ValueError):
        raise not_found(label) from None
    row = session.get(CoachingSession, key)
    if row is None:
        raise not_found(label)
    if not can(actor, Action.COACHING, _person_subject(row.agent, label)):
        raise not_found(label)
    return row, _is_coach_of(actor, row.agent)


def _require_coach(
    session: Session, actor: Actor, session_id: int | str, *, editing: bool = True
) -> CoachingSession:
    """The session, when the actor is its coach (and, `editing`, it is open)."""
    row, coach = _require_session(session, actor, session_id)
    if not coach:
        raise _refuse_non_coach(actor, f"edit coaching session {row.id}")
    if editing and row.status != "open":
        raise CoachingError(
            f"coaching session {row.id} is closed",
            where=f"coaching session {row.id}",
            fix="reopen it first",
        )
    return row


# --- checking what people type ------------------------------------------------------------------


def parse_date(value: date | str | None, where: str) -> date | None:
    """A date from a date or `YYYY-MM-DD` text; blank is None; anything else a CoachingError."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CoachingError(f"{text!r} is not a date", where=where, fix="use YYYY-MM-DD") from None


def _title(value: str | None) -> str:
    title = " ".join((value or "").split())
    if not title or len(title) > MAX_TITLE:
        raise CoachingError(
            "a coaching session needs a title", where="title", fix=f"give 1 to {MAX_TITLE} chars"
        )
    return title


def _notes(value: str | None, where: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_NOTES:
        raise CoachingError(
            f"the notes are {len(text)} characters long", where=where, fix=f"keep to {MAX_NOTES}"
        )
    return text or None


def _action_text(value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text or len(text) > MAX_ACTION:
        raise CoachingError(
            "an action item needs its text", where="action", fix=f"give 1 to {MAX_ACTION} chars"
        )
    return text


def _criterion(session: Session, value: str | None) -> str | None:
    criterion = (value or "").strip()
    if not criterion:
        return None
    known = measures.criteria_index(session)
    if criterion not in known:
        raise CoachingError(
            f"no criterion {criterion!r} in the rubrics",
            where="criterion",
            fix=f"use one of {', '.join(list(known)[:8])}, ... ('trainer rubrics show')",
        )
    return criterion


def _scenario(value: str | None) -> str | None:
    scenario = (value or "").strip()
    if not scenario:
        return None
    known = [s["id"] for s in measures.scenario_options()]
    # an id only, never a path: the scenario is one of those shipped in scenarios/
    if not _SCENARIO_ID.fullmatch(scenario) or scenario not in known:
        raise CoachingError(
            f"no scenario {scenario!r}", where="scenario", fix=f"use one of {', '.join(known)}"
        )
    return scenario


def _agent(session: Session, actor: Actor, ref: str | None) -> User:
    """The agent to coach: an active agent the actor coaches (by name or email)."""
    if not coaches(actor):
        raise _refuse_non_coach(actor, "open coaching sessions")
    name = (ref or "").strip()
    if not name:
        raise CoachingError("whom to coach?", where="agent", fix="name an agent of your team")
    user = session.scalar(select(User).where((User.name == name) | (User.email == name.lower())))
    if user is None or not _is_coach_of(actor, user):
        raise not_found(f"agent {name!r} in your teams")
    if user.role != COACHED_ROLE:
        raise CoachingError(
            f"{user.name} is a {user.role}: coaching sessions are for agents",
            where="agent",
            fix="assign practice to trainees through onboarding paths",
        )
    if not user.active:
        raise CoachingError(f"{user.name} is deactivated", where="agent", fix="reactivate them")
    return user


def split_ids(values: Iterable[str] | str | None) -> list[str]:
    """Conversation ids as typed ("b-1, b-2 b-3" or a list), without blanks or repeats."""
    if values is None:
        return []
    parts = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for part in parts:
        for piece in str(part).replace(",", " ").replace(";", " ").split():
            if piece not in out:
                out.append(piece)
    return out


def _conversations(session: Session, actor: Actor, agent: User, values) -> list[str]:
    """The linked conversations' ids: each one the actor may see and the agent's own (so the
    agent never reads someone else's conversation through their session)."""
    from trainer.services.views import visible_conversation  # views imports analytics

    ids = split_ids(values)
    if len(ids) > MAX_LINKS:
        raise CoachingError(
            f"{len(ids)} conversations linked",
            where="conversations",
            fix=f"link {MAX_LINKS} at most",
        )
    for external_id in ids:
        record = visible_conversation(session, actor, external_id)
        if record.agent_id != agent.id:
            raise CoachingError(
                f"conversation {external_id!r} is not {agent.name}'s",
                where="conversations",
                fix="link conversations of the coached agent",
            )
    return ids


# --- views --------------------------------------------------------------------------------------


def _action_view(action: CoachingAction, today: date) -> dict:
    return {
        "id": action.id,
        "text": action.text,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "done": action.done_at is not None,
        "done_at": measures.iso(action.done_at),
        "overdue": action.done_at is None and action.due_on is not None and action.due_on < today,
    }


def _audit_state(row: CoachingSession) -> dict:
    """What the audit log keeps of a session (admins read it; they may read private notes)."""
    return {
        "agent": row.agent.name if row.agent else None,
        "title": row.title,
        "criterion": row.criterion_id,
        "conversations": list(row.conversation_ids or []),
        "scenario": row.scenario_id,
        "follow_up": row.follow_up_on.isoformat() if row.follow_up_on else None,
        "shared_notes": row.shared_notes,
        "private_notes": row.private_notes,
        "status": row.status,
    }


def _summary(row: CoachingSession, titles: dict[str, dict], today: date) -> dict:
    actions = [_action_view(a, today) for a in row.actions]
    open_dues = sorted(a["due_on"] for a in actions if not a["done"] and a["due_on"])
    criterion = titles.get(row.criterion_id or "")
    return {
        "id": row.id,
        "title": row.title,
        "agent": row.agent.name if row.agent else None,
        "coach": row.coach.name if row.coach else None,
        "status": row.status,
        "criterion": row.criterion_id,
        "criterion_title": criterion["title"] if criterion else row.criterion_id,
        "scenario": row.scenario_id,
        "follow_up_on": row.follow_up_on.isoformat() if row.follow_up_on else None,
        "created_at": measures.iso(row.created_at),
        "actions": len(actions),
        "actions_done": sum(1 for a in actions if a["done"]),
        "next_due": open_dues[0] if open_dues else None,
    }


def session_view(session: Session, actor: Actor, session_id: int | str) -> dict:
    """One coaching session as the actor may read it (`trainer coaching show --format json`):
    the summary fields, the shared notes, the private notes for its coach only (the key is
    absent for the agent), the action items, the linked conversations with their final scores
    and the evidence of the criteria missed, the agent's scores on the session's criterion
    before and after it was opened (mean of final values, with n) and their attempts at the
    assigned scenario."""
    row, coach = _require_session(session, actor, session_id)
    titles = measures.criteria_index(session)
    today = datetime.now(UTC).date()
    view = _summary(row, titles, today)
    criterion = titles.get(row.criterion_id or "")
    scenario = None
    if row.scenario_id:
        known = {s["id"]: s for s in measures.scenario_options()}
        scenario = {
            "id": row.scenario_id,
            "title": known.get(row.scenario_id, {}).get("title", row.scenario_id),
            **measures.practice(session, row.agent_id, row.scenario_id, row.created_at),
        }
    view.update(
        {
            "is_coach": coach,
            "is_agent": actor.id is not None and actor.id == row.agent_id,
            "section": criterion["section"] if criterion else None,
            "shared_notes": row.shared_notes,
            "action_items": [_action_view(a, today) for a in row.actions],
            "conversations": [
                measures.linked_conversation(session, actor, cid, row.criterion_id, titles)
                for cid in row.conversation_ids or []
            ],
            "measures": (
                measures.before_after(session, row.agent_id, row.criterion_id, row.created_at)
                if row.criterion_id
                else None
            ),
            "practice": scenario,
            "updated_at": measures.iso(row.updated_at),
        }
    )
    if coach:  # never for the agent: the service leaves them out, not the page
        view["private_notes"] = row.private_notes
    return view


def list_sessions(
    session: Session, actor: Actor, agent: str | None = None, status: str | None = None
) -> list[dict]:
    """The coaching sessions the actor may read, newest first: an agent's own, a lead's
    teams', an admin's all; narrowed to one agent (name) and/or a status."""
    scope = scope_of(actor, Action.COACHING)
    if scope is Scope.NONE:
        raise _refuse_non_coach(actor, "read coaching sessions")
    if status not in (None, "", *STATUSES):
        raise CoachingError(f"no status {status!r}", where="status", fix="use open or closed")
    query = select(CoachingSession).options(
        selectinload(CoachingSession.actions),
        selectinload(CoachingSession.agent),
        selectinload(CoachingSession.coach),
    )
    if scope is Scope.OWN:
        query = query.where(CoachingSession.agent_id == (actor.id or -1))
    elif scope is Scope.TEAM:
        members = select(team_members.c.user_id).where(
            team_members.c.team_id.in_(sorted(actor.team_ids) or [-1])
        )
        query = query.where(CoachingSession.agent_id.in_(members))
    if agent:
        query = query.join(User, User.id == CoachingSession.agent_id).where(User.name == agent)
    if status:
        query = query.where(CoachingSession.status == status)
    query = query.order_by(CoachingSession.created_at.desc(), CoachingSession.id.desc())
    titles = measures.criteria_index(session)
    today = datetime.now(UTC).date()
    return [_summary(row, titles, today) for row in session.scalars(query)]


def coachable_agents(session: Session, actor: Actor) -> list[dict]:
    """The active agents the actor may open a session for ({name, teams}), by name; empty for
    roles that do not coach."""
    if not coaches(actor):
        return []
    users = session.scalars(
        select(User)
        .where(User.role == COACHED_ROLE, User.active.is_(True))
        .options(selectinload(User.teams))
        .order_by(User.name)
    ).all()
    return [
        {"name": u.name, "teams": [t.name for t in u.teams]}
        for u in users
        if _is_coach_of(actor, u)
    ]


def _weakest(session: Session, external_id: str) -> str | None:
    """The criterion with the lowest final value (< 1) of a conversation, rubric order on a
    tie: what a coach opening from a review most likely wants to work on."""
    from trainer.db.repository import find_conversation
    from trainer.services.reviews import final_evaluation

    record = find_conversation(session, external_id)
    final = final_evaluation(session, record) if record is not None else None
    scored = [
        (cs.value, i, cs.criterion_id)
        for i, cs in enumerate(final.criterion_scores if final else [])
        if cs.status == "scored" and cs.value is not None and cs.value < 1.0
    ]
    return min(scored)[2] if scored else None


def coaching_draft(
    session: Session,
    actor: Actor,
    *,
    agent: str | None = None,
    conversation: str | None = None,
    criterion: str | None = None,
) -> dict:
    """What the new-session form starts from: the agents the actor coaches, the rubric's
    criteria, the scenarios (those practising the criterion first) and, when opened from a
    review (`conversation`), that conversation's agent, the conversation itself and a
    criterion (the one given, else its weakest). Unknown names in the link are dropped."""
    if not coaches(actor):
        raise _refuse_non_coach(actor, "open coaching sessions")
    agents = coachable_agents(session, actor)
    names = {a["name"] for a in agents}
    titles = measures.criteria_index(session)
    linked: list[str] = []
    if conversation:
        link = coach_link(session, actor, conversation)
        if link is not None:
            agent, linked = link["agent"], [conversation]
            criterion = criterion or _weakest(session, conversation)
    chosen = criterion if criterion in titles else None
    section = titles[chosen]["section"] if chosen else None
    return {
        "agents": agents,
        "agent": agent if agent in names else None,
        "conversations": linked,
        "criterion": chosen,
        "title": titles[chosen]["title"] if chosen else "",
        "criteria": list(titles.values()),
        "scenarios": measures.scenario_options(section),
    }


def coach_link(session: Session, actor: Actor, external_id: str) -> dict | None:
    """{"agent", "conversation"} when the actor may open a coaching session about this
    conversation (they coach its agent, and may see it); None otherwise (what a review page
    asks before it shows "Coach this agent")."""
    from trainer.services.views import visible_conversation

    if not coaches(actor):
        return None
    try:
        record = visible_conversation(session, actor, external_id)
    except TrainerError:
        return None
    agent = record.agent
    if agent is None or agent.role != COACHED_ROLE or not agent.active:
        return None
    if not _is_coach_of(actor, agent):
        return None
    return {"agent": agent.name, "conversation": record.external_id}


# --- changes ------------------------------------------------------------------------------------


def open_session(
    session: Session,
    actor: Actor,
    agent: str,
    title: str,
    *,
    criterion: str | None = None,
    conversations: Iterable[str] | str | None = None,
    scenario: str | None = None,
    follow_up: date | str | None = None,
    shared_notes: str | None = None,
    private_notes: str | None = None,
    actions: Iterable[tuple[str, date | str | None]] = (),
) -> dict:
    """Open a coaching session for an agent the actor coaches (leads: their teams' agents;
    admins: any). Everything is checked before anything is stored; audited."""
    user = _agent(session, actor, agent)
    items = [(_action_text(text), parse_date(due, "action due date")) for text, due in actions]
    row = CoachingSession(
        agent=user,
        coach_id=actor.id,
        title=_title(title),
        criterion_id=_criterion(session, criterion),
        conversation_ids=_conversations(session, actor, user, conversations),
        scenario_id=_scenario(scenario),
        follow_up_on=parse_date(follow_up, "follow-up date"),
        shared_notes=_notes(shared_notes, "shared notes"),
        private_notes=_notes(private_notes, "private notes"),
        status="open",
        actions=[CoachingAction(text=text, due_on=due) for text, due in items],
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        "coaching.open",
        object_type="coaching_session",
        object_id=row.id,
        after={**_audit_state(row), "actions": [a.text for a in row.actions]},
    )
    return session_view(session, actor, row.id)


def open_from_conversation(
    session: Session,
    actor: Actor,
    external_id: str,
    title: str | None = None,
    *,
    criterion: str | None = None,
    conversations: Iterable[str] | str | None = None,
    **fields: Any,
) -> dict:
    """Open a session from a review: the conversation's agent is coached, the conversation is
    linked first, the criterion defaults to its weakest and the title to the criterion's."""
    from trainer.services.views import visible_conversation

    record = visible_conversation(session, actor, external_id)
    if record.agent is None:
        raise CoachingError(
            f"conversation {external_id!r} has no agent account",
            where="conversation",
            fix="link its agent first: trainer users link-agent",
        )
    criterion = criterion or _weakest(session, external_id)
    if not title:
        known = measures.criteria_index(session)
        title = known[criterion]["title"] if criterion in known else f"About {external_id}"
    linked = [external_id, *[c for c in split_ids(conversations) if c != external_id]]
    return open_session(
        session,
        actor,
        record.agent.name,
        title,
        criterion=criterion,
        conversations=linked,
        **fields,
    )


def update_session(
    session: Session, actor: Actor, session_id: int | str, changes: dict[str, Any]
) -> dict:
    """Change some of a session's fields (EDITABLE: title, criterion, conversations, scenario,
    follow_up, shared_notes, private_notes; blank clears all but the title). Its coach only,
    while open; audited with the fields before and after."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise CoachingError(
            f"cannot change {', '.join(unknown)}", where="changes", fix=f"use {', '.join(EDITABLE)}"
        )
    row = _require_coach(session, actor, session_id)
    checked: dict[str, Any] = {}
    for key, value in changes.items():
        match key:
            case "title":
                checked["title"] = _title(value)
            case "criterion":
                checked["criterion_id"] = _criterion(session, value)
            case "conversations":
                checked["conversation_ids"] = _conversations(session, actor, row.agent, value)
            case "scenario":
                checked["scenario_id"] = _scenario(value)
            case "follow_up":
                checked["follow_up_on"] = parse_date(value, "follow-up date")
            case "shared_notes" | "private_notes":
                checked[key] = _notes(value, key.replace("_", " "))
    before = _audit_state(row)
    for attribute, value in checked.items():
        setattr(row, attribute, value)
    session.flush()
    after = _audit_state(row)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        record_event(
            session,
            actor,
            "coaching.update",
            object_type="coaching_session",
            object_id=row.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return session_view(session, actor, row.id)


def set_status(session: Session, actor: Actor, session_id: int | str, status: str) -> dict:
    """Close (`closed`) or reopen (`open`) a session; its coach only; audited."""
    if status not in STATUSES:
        raise CoachingError(f"no status {status!r}", where="status", fix="use open or closed")
    row = _require_coach(session, actor, session_id, editing=False)
    if row.status == status:
        raise CoachingError(
            f"coaching session {row.id} is already {status}", where=f"coaching session {row.id}"
        )
    before = row.status
    row.status = status
    session.flush()
    record_event(
        session,
        actor,
        "coaching.close" if status == "closed" else "coaching.reopen",
        object_type="coaching_session",
        object_id=row.id,
        before={"status": before},
        after={"status": status},
    )
    return session_view(session, actor, row.id)


def close_session(session: Session, actor: Actor, session_id: int | str) -> dict:
    """Close a session (see `set_status`)."""
    return set_status(session, actor, session_id, "closed")


def reopen_session(session: Session, actor: Actor, session_id: int | str) -> dict:
    """Reopen a closed session (see `set_status`)."""
    return set_status(session, actor, session_id, "open")


# --- action items -------------------------------------------------------------------------------


def add_action(
    session: Session,
    actor: Actor,
    session_id: int | str,
    text: str,
    due: date | str | None = None,
) -> dict:
    """Add an action item (text, optional due date) to an open session; its coach only;
    audited."""
    row = _require_coach(session, actor, session_id)
    action = CoachingAction(text=_action_text(text), due_on=parse_date(due, "due date"))
    row.actions.append(action)
    session.flush()
    record_event(
        session,
        actor,
        "coaching.action.add",
        object_type="coaching_action",
        object_id=action.id,
        after={"session": row.id, "text": action.text, "due_on": _day(action.due_on)},
    )
    return _action_view(action, datetime.now(UTC).date())


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _require_action(
    session: Session, actor: Actor, action_id: int | str
) -> tuple[CoachingAction, bool]:
    """The action item and whether the actor coaches its session; "not found" where the
    session is not the actor's to see."""
    label = f"coaching action {action_id}"
    try:
        action = session.get(CoachingAction, int(action_id))
    except (TypeError, ValueError):
        action = None
    if action is None:
        raise not_found(label)
    try:
        _row, coach = _require_session(session, actor, action.session_id)
    except TrainerError:
        raise not_found(label) from None
    return action, coach


def update_action(
    session: Session,
    actor: Actor,
    action_id: int | str,
    *,
    text: str | None = None,
    due: date | str | None = None,
    clear_due: bool = False,
) -> dict:
    """Change an action item's text and/or due date (`clear_due` removes it); its session's
    coach only, while open; audited."""
    action, _coach = _require_action(session, actor, action_id)
    _require_coach(session, actor, action.session_id)
    before = {"text": action.text, "due_on": _day(action.due_on)}
    if text is not None:
        action.text = _action_text(text)
    if clear_due:
        action.due_on = None
    elif due is not None:
        action.due_on = parse_date(due, "due date")
    session.flush()
    record_event(
        session,
        actor,
        "coaching.action.update",
        object_type="coaching_action",
        object_id=action.id,
        before=before,
        after={"text": action.text, "due_on": _day(action.due_on)},
    )
    return _action_view(action, datetime.now(UTC).date())


def set_action_done(
    session: Session, actor: Actor, action_id: int | str, done: bool = True
) -> dict:
    """Mark an action item done (or not done again): the session's coach, or the coached
    agent for their own items; while the session is open; audited."""
    action, coach = _require_action(session, actor, action_id)
    row = action.session
    if not coach and actor.id != row.agent_id:
        raise _refuse_non_coach(actor, f"complete coaching action {action.id}")
    if row.status != "open":
        raise CoachingError(
            f"coaching session {row.id} is closed", where=f"coaching action {action.id}"
        )
    before = measures.iso(action.done_at)
    action.done_at = (action.done_at or datetime.now(UTC)) if done else None
    session.flush()
    record_event(
        session,
        actor,
        "coaching.action.done" if done else "coaching.action.undone",
        object_type="coaching_action",
        object_id=action.id,
        before={"done_at": before},
        after={"done_at": measures.iso(action.done_at), "session": row.id},
    )
    return _action_view(action, datetime.now(UTC).date())


def delete_action(session: Session, actor: Actor, action_id: int | str) -> None:
    """Remove an action item; its session's coach only, while open; audited (its text
    kept in the audit row)."""
    action, _coach = _require_action(session, actor, action_id)
    row = _require_coach(session, actor, action.session_id)
    record_event(
        session,
        actor,
        "coaching.action.delete",
        object_type="coaching_action",
        object_id=action.id,
        before={"session": row.id, "text": action.text, "due_on": _day(action.due_on)},
    )
    row.actions.remove(action)
    session.flush()
