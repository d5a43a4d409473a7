"""Onboarding: cohorts of new hires on a learning path and paths assigned to one person with a
due date (HR and admins: the policy's MANAGE_ONBOARDING row), plus, for one place to import
from, the read side: progress (`trainer.services.onboarding_progress`) and certificates
(`trainer.services.certificates`).

Every change is audited; a request refused in any part stores nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.policy import STAFF_ROLES
from trainer.db.models import Cohort, PathAssignment, User
from trainer.errors import NotFoundError, OnboardingError
from trainer.onboarding.paths import find_path, list_paths
from trainer.services.accounts import require_user
from trainer.services.audit import record_event
from trainer.services.certificates import certificate_pdf, find_certificate
from trainer.services.onboarding_progress import (
    after_attempt,
    cohort_progress,
    cohort_view,
    find_cohort,
    iso,
    list_cohorts,
    my_progress,
    path_view,
    people_progress,
    today_utc,
)

__all__ = [
    "after_attempt",
    "assign_path",
    "available_paths",
    "certificate_pdf",
    "cohort_progress",
    "create_cohort",
    "eligible_members",
    "enrol",
    "find_certificate",
    "list_cohorts",
    "my_progress",
    "people_progress",
    "remove_member",
]
MAX_NAME = 200


def _day(value: date | str | None, where: str) -> date | None:
    """A date given as a date or `YYYY-MM-DD`; OnboardingError naming the field otherwise."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OnboardingError(
            f"{text!r} is not a date", where=where, fix="write it as YYYY-MM-DD"
        ) from None


def available_paths(actor: Actor) -> list[dict]:
    """The learning paths in `scenarios/paths/` (anyone who takes part in onboarding)."""
    authorize(actor, Action.ONBOARDING)
    return [path_view(p) for p in list_paths(skip_broken=True)]


def eligible_members(session: Session, actor: Actor) -> list[str]:
    """Names of the people who may be enrolled: active trainees and agents (HR, admins)."""
    authorize(actor, Action.MANAGE_ONBOARDING)
    users = session.scalars(
        select(User).where(User.role.in_(sorted(STAFF_ROLES)), User.active.is_(True))
    ).all()
    return [u.name for u in sorted(users, key=lambda u: (u.role != "trainee", u.name))]


# --- cohorts and assignments ------------------------------------------------------------------


def _member(session: Session, ref: str | int) -> User:
    try:
        user = require_user(session, ref)
    except NotFoundError:
        raise OnboardingError(
            f"no user {ref!r}", where="members", fix="add them first (Admin, or trainer users add)"
        ) from None
    if user.role not in STAFF_ROLES or not user.active:
        raise OnboardingError(
            f"{user.name} is {'deactivated' if not user.active else 'a ' + user.role}",
            where="members",
            fix="enrol active trainees and agents",
        )
    return user


def _members(session: Session, refs: list[str | int]) -> list[User]:
    users: dict[int, User] = {}
    for ref in refs or []:
        if isinstance(ref, str) and not ref.strip():
            continue
        user = _member(session, ref)
        users[user.id] = user
    return sorted(users.values(), key=lambda u: u.name)


def _not_assigned(session: Session, users: list[User], path_id: str) -> None:
    """OnboardingError when someone already has the path (in a cohort or on their own)."""
    if not users:
        return
    taken = session.scalars(
        select(PathAssignment).where(
            PathAssignment.path_id == path_id,
            PathAssignment.user_id.in_([u.id for u in users]),
        )
    ).first()
    if taken is not None:
        where = f"cohort {taken.cohort.name!r}" if taken.cohort else "on their own"
        raise OnboardingError(
            f"{taken.user.name} already has the path {path_id!r} ({where})",
            where="members",
            fix="remove them there first, or leave them out",
        )


def _assign(session: Session, actor: Actor, user: User, path_id: str, due_on, cohort) -> None:
    session.add(
        PathAssignment(
            user_id=user.id,
            path_id=path_id,
            cohort_id=cohort.id if cohort is not None else None,
            due_on=due_on,
            assigned_by_id=actor.id,
        )
    )


def create_cohort(
    session: Session,
    actor: Actor,
    name: str,
    path_id: str,
    due_on: date | str | None,
    members: list[str | int] | None = None,
    start_on: date | str | None = None,
) -> dict:
    """Create a cohort of new hires on a learning path, due by `due_on`, starting `start_on`
    (default today), and assign the path to each member (active trainees and agents, by name,
    email or id; none of them may have the path already). HR and admins; audited; nothing is
    stored when any part is refused."""
    authorize(actor, Action.MANAGE_ONBOARDING)
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise OnboardingError(
            "a cohort needs a name", where="name", fix=f"give 1 to {MAX_NAME} characters"
        )
    if session.scalar(select(Cohort).where(func.lower(Cohort.name) == name.lower())):
        raise OnboardingError(
            f"a cohort named {name!r} exists", where="name", fix="choose another name"
        )
    path = find_path((path_id or "").strip())
    start = _day(start_on, "start") or today_utc()
    due = _day(due_on, "due")
    if due is None:
        raise OnboardingError("a cohort needs a due date", where="due", fix="write YYYY-MM-DD")
    if due < start:
        raise OnboardingError(
            f"the due date {due} is before the start {start}",
            where="due",
            fix="choose a due date on or after the start",
        )
    users = _members(session, list(members or []))
    _not_assigned(session, users, path.id)
    cohort = Cohort(name=name, path_id=path.id, start_on=start, due_on=due, created_by_id=actor.id)
    session.add(cohort)
    session.flush()
    for user in users:
        _assign(session, actor, user, path.id, due, cohort)
    session.flush()
    view = cohort_view(cohort, [u.name for u in users])
    record_event(
        session,
        actor,
        "cohort.create",
        object_type="cohort",
        object_id=cohort.id,
        after={k: view[k] for k in ("name", "path", "start_on", "due_on", "members")},
    )
    return view


def _managed_cohort(session: Session, actor: Actor, ref: str | int) -> Cohort:
    authorize(actor, Action.MANAGE_ONBOARDING)
    return find_cohort(session, ref)


def _member_names(session: Session, cohort: Cohort) -> list[str]:
    return sorted(
        session.scalars(
            select(User.name)
            .join(PathAssignment, PathAssignment.user_id == User.id)
            .where(PathAssignment.cohort_id == cohort.id)
        )
    )


def enrol(session: Session, actor: Actor, cohort_ref: str | int, members: list[str | int]) -> dict:
    """Add people to a cohort (its path assigned to them, due with the cohort). HR and admins;
    audited; nothing is stored when anyone is refused."""
    cohort = _managed_cohort(session, actor, cohort_ref)
    users = _members(session, members)
    if not users:
        raise OnboardingError("name at least one person", where="members")
    _not_assigned(session, users, cohort.path_id)
    for user in users:
        _assign(session, actor, user, cohort.path_id, cohort.due_on, cohort)
    session.flush()
    record_event(
        session,
        actor,
        "cohort.enrol",
        object_type="cohort",
        object_id=cohort.id,
        after={"members": [u.name for u in users]},
    )
    return cohort_view(cohort, _member_names(session, cohort))


def remove_member(session: Session, actor: Actor, cohort_ref: str | int, member: str) -> dict:
    """Take someone out of a cohort (their path assignment goes; certificates they earned stay).
    HR and admins; audited."""
    cohort = _managed_cohort(session, actor, cohort_ref)
    user = require_user(session, member)
    assignment = session.scalar(
        select(PathAssignment).where(
            PathAssignment.cohort_id == cohort.id, PathAssignment.user_id == user.id
        )
    )
    if assignment is None:
        raise OnboardingError(f"{user.name} is not in cohort {cohort.name!r}", where="member")
    session.delete(assignment)
    session.flush()
    record_event(
        session,
        actor,
        "cohort.remove",
        object_type="cohort",
        object_id=cohort.id,
        before={"member": user.name},
    )
    return cohort_view(cohort, _member_names(session, cohort))


def assign_path(
    session: Session, actor: Actor, person: str | int, path_id: str, due_on: date | str | None
) -> dict:
    """Assign a learning path to one person, due by `due_on`; when they have it already, only
    the due date changes. HR and admins; audited."""
    authorize(actor, Action.MANAGE_ONBOARDING)
    user = _member(session, person)
    path = find_path((path_id or "").strip())
    due = _day(due_on, "due")
    existing = session.scalar(
        select(PathAssignment).where(
            PathAssignment.user_id == user.id, PathAssignment.path_id == path.id
        )
    )
    before = None
    if existing is None:
        _assign(session, actor, user, path.id, due, None)
    else:
        before = {"due_on": iso(existing.due_on)}
        existing.due_on = due
    session.flush()
    after = {"person": user.name, "path": path.id, "due_on": iso(due)}
    record_event(
        session, actor, "path.assign", object_type="user", object_id=user.id, before=before,
        after=after,
    )  # fmt: skip
    return after
