"""Users and teams: add, edit role and teams, deactivate (never delete: history keeps its
author), import staff from CSV, and link agent names from conversation sources to accounts."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.passwords import hash_password
from trainer.access.policy import Subject, can
from trainer.db.models import ROLES, ConversationRecord, Team, User
from trainer.errors import AccountError, ForbiddenError, NotFoundError, TrainerError
from trainer.services.audit import record_event
from trainer.services.auth import find_user_by_email, normalise_email, revoke_sessions

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IMPORT_COLUMNS = ("name", "email", "role", "team")


def _user_subject(role: str, name: str) -> Subject:
    return Subject(label=f"user {name!r}", role=role)


def user_view(user: User) -> dict:
    """A user as plain data (never the password hash)."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "teams": [team.name for team in user.teams],
        "active": user.active,
        "has_password": bool(user.password_hash),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def require_user(session: Session, ref: str | int) -> User:
    """A user by id, email or exact name; NotFoundError otherwise."""
    user = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        user = session.get(User, int(ref))
    if user is None and isinstance(ref, str):
        user = find_user_by_email(session, ref) if "@" in ref else None
        user = user or session.scalar(select(User).where(User.name == ref.strip()))
    if user is None:
        raise NotFoundError(f"no user {ref!r}", fix="run 'trainer users list'")
    return user


def _check_role(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}", fix=f"use one of {', '.join(ROLES)}")
    return role


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME, MAX_EMAIL = 200, 320


def _check_email(session: Session, actor: Actor, email: str, *, exclude: int | None = None) -> str:
    email = normalise_email(email)
    if len(email) > MAX_EMAIL or CONTROL.search(email) or not EMAIL.match(email):
        raise AccountError(
            f"{email[:60]!r} is not an email address", fix="write it as name@example.com"
        )
    other = find_user_by_email(session, email)
    if other is not None and other.id != exclude:
        # Only admins, who see every account anyway, are told whose it is.
        owner = f" belongs to {other.name}" if can(actor, Action.ADMINISTER) else " is in use"
        raise AccountError(f"the email {email}{owner}", fix="use another email")
    return email


def _check_name(session: Session, name: str, *, exclude: int | None = None) -> str:
    """A person's name: not empty, at most 200 characters, no control characters, and unique
    ignoring case (agent names in sources are matched to accounts ignoring case)."""
    name = " ".join(name.split())
    if not name:
        raise AccountError("the name is empty", fix="give the person's full name")
    if len(name) > MAX_NAME or CONTROL.search(name):
        raise AccountError(
            f"the name {name[:60]!r}… is too long or has control characters",
            fix=f"use at most {MAX_NAME} printable characters",
        )
    other = session.scalar(select(User).where(func.lower(User.name) == name.lower()))
    if other is not None and other.id != exclude:
        raise AccountError(f"a user named {other.name!r} exists", fix="edit that user instead")
    return name


def _teams(session: Session, actor: Actor, names: list[str]) -> list[Team]:
    """The named teams; a missing one is created when the actor administers, else refused."""
    teams = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        team = session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
        if team is None:
            if not can(actor, Action.ADMINISTER):
                raise AccountError(f"no team {name!r}", fix="ask an admin to create it")
            team = Team(name=name)
            session.add(team)
            session.flush()
            record_event(
                session,
                actor,
                "team.add",
                object_type="team",
                object_id=team.id,
                after={"name": name},
            )
        teams.append(team)
    return teams


def add_user(
    session: Session,
    actor: Actor,
    name: str,
    email: str,
    role: str = "agent",
    teams: list[str] | None = None,
    password: str | None = None,
) -> User:
    """A new user (admins any role; HR trainees and agents). Without a password the user cannot
    log in until an admin sets one; only admins set passwords (HR choosing an agent's password
    could sign in as them)."""
    role = _check_role(role)
    authorize(actor, Action.ADD_USERS, _user_subject(role, name.strip()))
    if password and not can(actor, Action.ADMINISTER):
        raise ForbiddenError(
            "only an admin sets a password", fix="add the user without one; an admin sets it"
        )
    user = User(
        name=_check_name(session, name),
        email=_check_email(session, actor, email),
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    user.teams = _teams(session, actor, teams or [])
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        "user.add",
        object_type="user",
        object_id=user.id,
        after=user_view(user) | {"last_login_at": None},
    )
    return user


def update_user(
    session: Session,
    actor: Actor,
    ref: str | int,
    *,
    role: str | None = None,
    teams: list[str] | None = None,
    name: str | None = None,
    email: str | None = None,
) -> User:
    """Change a user's role, teams, name or email (admins); the audit row keeps before/after."""
    authorize(actor, Action.ADMINISTER)
    user = require_user(session, ref)
    before = _editable(user)
    if role is not None:
        role = _check_role(role)
        if user.role == "admin" and role != "admin":
            _keep_an_admin(session, user)
        user.role = role
    if teams is not None:
        user.teams = _teams(session, actor, teams)
    if name is not None and name.strip() and name.strip() != user.name:
        user.name = _check_name(session, name, exclude=user.id)
    if email is not None:
        user.email = _check_email(session, actor, email, exclude=user.id)
    after = _editable(user)
    if after != before:
        action = "user.role" if before["role"] != after["role"] else "user.edit"
        record_event(
            session,
            actor,
            action,
            object_type="user",
            object_id=user.id,
            before=before,
            after=after,
        )
    return user


def _editable(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "teams": sorted(t.name for t in user.teams),
    }


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count(User.id)).where(
            User.role == "admin", User.active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise AccountError(
            f"{user.name} is the last active admin", fix="make someone else an admin first"
        )


def set_active(session: Session, actor: Actor, ref: str | int, active: bool) -> User:
    """Deactivate (or reactivate) a user: they can no longer log in, their sessions and tokens
    stop at once, and everything they did stays."""
    authorize(actor, Action.ADMINISTER)
    user = require_user(session, ref)
    if user.active == active:
        return user
    if not active and user.role == "admin":
        _keep_an_admin(session, user)
    user.active = active
    if not active:
        revoke_sessions(session, user.id)
    record_event(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        before={"active": not active},
        after={"active": active},
    )
    return user


def set_password(session: Session, actor: Actor, ref: str | int, password: str) -> User:
    """Set another user's password (admins; a lost password); their sessions end."""
    authorize(actor, Action.ADMINISTER)
    user = require_user(session, ref)
    user.password_hash = hash_password(password)
    revoke_sessions(session, user.id)
    record_event(session, actor, "password.set", object_type="user", object_id=user.id)
    return user


def list_users(session: Session, actor: Actor, *, include_inactive: bool = True) -> list[dict]:
    """Users the actor manages: admins everyone, HR trainees and agents."""
    authorize(actor, Action.ADD_USERS)
    query = select(User).order_by(User.name)
    if not can(actor, Action.ADMINISTER):
        query = query.where(User.role.in_(["trainee", "agent"]))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return [user_view(u) for u in session.scalars(query)]


def list_teams(session: Session, actor: Actor) -> list[dict]:
    """Teams with their members and leads (admins and HR)."""
    authorize(actor, Action.ADD_USERS)
    teams = session.scalars(select(Team).order_by(Team.name)).all()
    return [
        {
            "id": team.id,
            "name": team.name,
            "leads": [u.name for u in team.members if u.role == "lead"],
            "members": [u.name for u in team.members if u.role != "lead"],
        }
        for team in teams
    ]


def add_team(session: Session, actor: Actor, name: str) -> Team:
    """A new team (admins)."""
    authorize(actor, Action.ADMINISTER)
    name = name.strip()
    if not name:
        raise AccountError("the team name is empty")
    if session.scalar(select(Team).where(func.lower(Team.name) == name.lower())) is not None:
        raise AccountError(f"a team named {name!r} exists")
    return _teams(session, actor, [name])[0]


# --- staff import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a staff import did: users added, and each refused row with its line and reason."""

    added: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_staff(
    session: Session, actor: Actor, text: str, source: str = "staff.csv"
) -> ImportReport:
    """Add the users of a CSV (name, email, role, team; team may list several with `;`). Each
    bad row is reported with its line number and the rest are imported; nothing already stored
    changes (an existing email or name is refused, not overwritten)."""
    authorize(actor, Action.ADD_USERS)
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS[:3] if c not in header]
    if missing:
        raise AccountError(
            f"the header lacks {', '.join(missing)}",
            where=f"{source}:1",
            fix=f"start the file with the line: {','.join(IMPORT_COLUMNS)}",
        )
    reader.fieldnames = header
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        try:
            with session.begin_nested():
                user = add_user(
                    session,
                    actor,
                    values.get("name", ""),
                    values.get("email", ""),
                    values.get("role", "") or "agent",
                    [t for t in re.split(r"[;|]", values.get("team", "")) if t.strip()],
                )
            report.added.append(user.name)
        except TrainerError as exc:  # a refused row never stops the others
            report.errors.append((line, exc.message))
        except SQLAlchemyError:  # the database refused the row: report it, keep the others
            report.errors.append((line, "the database refused this row (a value is too long?)"))
    return report


# --- agent names from sources ------------------------------------------------------------------


def unmatched_agents(session: Session, actor: Actor) -> list[dict]:
    """Agent names on conversations that match no account, with how many conversations each."""
    authorize(actor, Action.ADMINISTER)
    rows = session.execute(
        select(ConversationRecord.agent_name, func.count(ConversationRecord.id))
        .where(ConversationRecord.agent_id.is_(None), ConversationRecord.agent_name.is_not(None))
        .group_by(ConversationRecord.agent_name)
        .order_by(ConversationRecord.agent_name)
    ).all()
    return [{"agent_name": name, "conversations": count} for name, count in rows]


def link_agent(session: Session, actor: Actor, agent_name: str, ref: str | int) -> int:
    """Link every unmatched conversation of `agent_name` to a user; how many were linked."""
    authorize(actor, Action.ADMINISTER)
    user = require_user(session, ref)
    result = session.execute(
        update(ConversationRecord)
        .where(ConversationRecord.agent_id.is_(None), ConversationRecord.agent_name == agent_name)
        .values(agent_id=user.id)
    )
    count = result.rowcount or 0
    if not count:
        raise NotFoundError(f"no unmatched conversations of agent {agent_name!r}")
    record_event(
        session,
        actor,
        "agent.link",
        object_type="user",
        object_id=user.id,
        after={"agent_name": agent_name, "conversations": count},
    )
    return count
