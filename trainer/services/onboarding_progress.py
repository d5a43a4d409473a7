"""Onboarding progress: each person's step statuses on their learning paths, a cohort's funnel,
and the certificate issued (once) when a path is finished.

Who sees what (the policy's ONBOARDING row): trainees and agents their own paths, a lead the
people of their teams, HR and admins everyone. A cohort none of whose members the actor may see
reads as not found.

Statuses come from the person's finished role-play attempts (`trainer.analytics.onboarding`);
nothing about progress is stored except the certificate: issued after each attempt
(`after_attempt`, called where an attempt finishes) and whenever progress is computed (so a path
whose bar was lowered certifies those who now meet it).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize, can
from trainer.access.policy import Scope, Subject, not_found, scope_of
from trainer.analytics.onboarding import (
    AttemptRow,
    StepProgress,
    StepRule,
    certificate_scores,
    current_step,
    funnel,
    path_status,
    step_progress,
)
from trainer.db.models import Certificate, Cohort, PathAssignment, RoleplayAttempt, User
from trainer.errors import NotFoundError, TrainerError
from trainer.onboarding.paths import LearningPath, find_path
from trainer.services.accounts import require_user
from trainer.services.audit import record_event

log = logging.getLogger(__name__)
SYSTEM = "Trainer (automatic)"


# --- shared helpers ---------------------------------------------------------------------------


def today_utc() -> date:
    """Today's date in UTC (due dates are whole days)."""
    return datetime.now(UTC).date()


def iso(moment: datetime | date | None) -> str | None:
    """ISO text of a date or a time in UTC (SQLite hands back naive times, stored as UTC)."""
    if moment is None:
        return None
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def person_subject(user: User) -> Subject:
    """The policy's view of a person whose onboarding is asked about (owner: them)."""
    return Subject(label=f"person {user.name!r}", owner_id=user.id, owner_team_ids=user.team_ids)


def sees_person(actor: Actor, user: User) -> bool:
    """True when the actor may follow this person's onboarding (own, team, all)."""
    return can(actor, Action.ONBOARDING, person_subject(user))


def path_rules(path: LearningPath) -> list[StepRule]:
    """The path's steps as the analytics' rules (pass marks filled in by the loader)."""
    return [
        StepRule(s.id, float(s.pass_mark or 0), s.min_passes, s.max_attempts) for s in path.steps
    ]


def path_view(path: LearningPath) -> dict:
    """A path as plain data: id, version, title, description and its steps."""
    return {
        "id": path.id,
        "version": path.version,
        "title": path.title,
        "description": path.description.strip(),
        "steps": [
            {
                "step": s.id,
                "title": s.title,
                "pass_mark": s.pass_mark,
                "min_passes": s.min_passes,
                "max_attempts": s.max_attempts,
            }
            for s in path.steps
        ],
    }


def find_cohort(session: Session, ref: str | int) -> Cohort:
    """A cohort by id or exact name (not yet checked against the actor)."""
    cohort = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        cohort = session.get(Cohort, int(ref))
    if cohort is None and isinstance(ref, str):
        cohort = session.scalar(select(Cohort).where(Cohort.name == ref.strip()))
    if cohort is None:
        raise not_found(f"cohort {ref!r}")
    return cohort


def cohort_view(cohort: Cohort, members: list[str]) -> dict:
    """A cohort as plain data (members: the names the actor may see)."""
    return {
        "id": cohort.id,
        "name": cohort.name,
        "path": cohort.path_id,
        "start_on": iso(cohort.start_on),
        "due_on": iso(cohort.due_on),
        "members": members,
    }


# --- progress ---------------------------------------------------------------------------------


def _attempts(session: Session, user_ids: list[int]) -> dict[int, list[AttemptRow]]:
    """Finished attempts of these people, in one query."""
    found: dict[int, list[AttemptRow]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return found
    rows = session.execute(
        select(
            RoleplayAttempt.trainee_id,
            RoleplayAttempt.scenario_id,
            RoleplayAttempt.finished_at,
            RoleplayAttempt.score,
            RoleplayAttempt.outcome,
        ).where(
            RoleplayAttempt.trainee_id.in_(user_ids),
            RoleplayAttempt.status == "finished",
            RoleplayAttempt.finished_at.is_not(None),
        )
    )
    for trainee_id, scenario, finished_at, score, outcome in rows:
        found[trainee_id].append(AttemptRow(scenario, finished_at, score, outcome))
    return found


def _certificates(session: Session, user_ids: list[int]) -> dict[tuple[int, str, int], Certificate]:
    if not user_ids:
        return {}
    rows = session.scalars(select(Certificate).where(Certificate.user_id.in_(user_ids)))
    return {(c.user_id, c.path_id, c.path_version): c for c in rows}


def certificate_view(cert: Certificate) -> dict:
    """A certificate as plain data: id, person, path and version, when, each step's score."""
    return {
        "id": cert.id,
        "person": cert.user.name,
        "path": cert.path_id,
        "path_version": cert.path_version,
        "issued_at": iso(cert.issued_at),
        "scores": dict(cert.scores or {}),
    }


def _issue(session: Session, user: User, path: LearningPath, scores: dict) -> Certificate:
    cert = Certificate(user_id=user.id, path_id=path.id, path_version=path.version, scores=scores)
    session.add(cert)
    session.flush()
    record_event(
        session,
        None,
        "certificate.issue",
        actor_name=SYSTEM,
        object_type="certificate",
        object_id=cert.id,
        after={"person": user.name, "path": path.ref, "scores": scores},
    )
    return cert


def _person_rows(
    session: Session, assignments: list[PathAssignment], today: date
) -> list[tuple[PathAssignment, LearningPath, list[StepProgress], Certificate | None]]:
    """Each assignment's path, step progress and certificate (issued now if just earned)."""
    ids = sorted({a.user_id for a in assignments})
    attempts = _attempts(session, ids)
    certs = _certificates(session, ids)
    out = []
    for assignment in assignments:
        path = find_path(assignment.path_id)
        steps = step_progress(
            path_rules(path),
            attempts.get(assignment.user_id, []),
            today=today,
            since=assignment.created_at,
            due_on=assignment.due_on,
        )
        key = (assignment.user_id, path.id, path.version)
        scores = certificate_scores(steps)
        if key not in certs and scores is not None:
            certs[key] = _issue(session, assignment.user, path, scores)
        out.append((assignment, path, steps, certs.get(key)))
    return out


def _progress_view(
    assignment: PathAssignment, path: LearningPath, steps: list[StepProgress], cert
) -> dict:
    titles = {s.id: s.title for s in path.steps}
    return {
        "name": assignment.user.name,
        "cohort": assignment.cohort.name if assignment.cohort else None,
        "cohort_id": assignment.cohort_id,
        "path": path.id,
        "path_version": path.version,
        "path_title": path.title,
        "assigned_at": iso(assignment.created_at),
        "due_on": iso(assignment.due_on),
        "status": path_status(steps),
        "current_step": current_step(steps),
        "steps": [{**s.as_dict(), "title": titles.get(s.step, s.step)} for s in steps],
        "certificate": certificate_view(cert) if cert is not None else None,
    }


def cohort_progress(
    session: Session, actor: Actor, cohort_ref: str | int, *, today: date | None = None
) -> dict:
    """A cohort's path, each member's step statuses (the members the actor may see) and the
    funnel: per step, how many have each status. Not found when the actor may see no member
    (HR and admins see every cohort, even an empty one)."""
    authorize(actor, Action.ONBOARDING)
    cohort = find_cohort(session, cohort_ref)
    assignments = session.scalars(
        select(PathAssignment).where(PathAssignment.cohort_id == cohort.id)
    ).all()
    visible = sorted(
        (a for a in assignments if sees_person(actor, a.user)), key=lambda a: a.user.name
    )
    if not visible and scope_of(actor, Action.ONBOARDING) is not Scope.ALL:
        raise not_found(f"cohort {cohort_ref!r}")
    path = find_path(cohort.path_id)
    rows = _person_rows(session, visible, today or today_utc())
    members = [_progress_view(*row) for row in rows]
    step_ids = [s.id for s in path.steps]
    counts = funnel(step_ids, [row[2] for row in rows])
    titles = {s.id: s.title for s in path.steps}
    return {
        **cohort_view(cohort, [m["name"] for m in members]),
        "path": path_view(path),
        "members": members,
        "funnel": [{**row, "title": titles[row["step"]]} for row in counts],
        "finished": sum(1 for m in members if m["status"] == "passed"),
    }


def list_cohorts(session: Session, actor: Actor, *, today: date | None = None) -> list[dict]:
    """The cohorts the actor may see (HR and admins: all; leads: those with people of their
    teams; trainees and agents: their own), each with its visible members and how many have
    finished, newest start first."""
    authorize(actor, Action.ONBOARDING)
    out = []
    cohorts = session.scalars(
        select(Cohort).order_by(Cohort.start_on.desc(), Cohort.id.desc())
    ).all()
    everyone = scope_of(actor, Action.ONBOARDING) is Scope.ALL
    for cohort in cohorts:
        assignments = session.scalars(
            select(PathAssignment).where(PathAssignment.cohort_id == cohort.id)
        ).all()
        visible = [a for a in assignments if sees_person(actor, a.user)]
        if not visible and not everyone:
            continue
        try:
            rows = _person_rows(session, visible, today or today_utc())
            title = find_path(cohort.path_id).title
        except TrainerError as exc:  # a path file removed or broken: say so, list the rest
            rows, title = [], f"(path unavailable: {exc.message})"
        out.append(
            {
                **cohort_view(cohort, sorted(a.user.name for a in visible)),
                "path_title": title,
                "finished": sum(1 for row in rows if path_status(row[2]) == "passed"),
            }
        )
    return out


def people_progress(
    session: Session, actor: Actor, person: str | None = None, *, today: date | None = None
) -> list[dict]:
    """Every path assignment the actor may see (their own, their teams' or everyone's), or only
    `person`'s (not found when the actor may not see them), by name then path."""
    authorize(actor, Action.ONBOARDING)
    query = select(PathAssignment)
    if person is not None:
        try:
            user = require_user(session, person)
        except NotFoundError:
            user = None
        if user is None or not sees_person(actor, user):
            raise not_found(f"person {person!r}")
        query = query.where(PathAssignment.user_id == user.id)
    elif scope_of(actor, Action.ONBOARDING) is Scope.OWN:
        query = query.where(PathAssignment.user_id == (actor.id or -1))
    assignments = [a for a in session.scalars(query) if sees_person(actor, a.user)]
    assignments.sort(key=lambda a: (a.user.name, a.path_id))
    return [
        _progress_view(*row) for row in _person_rows(session, assignments, today or today_utc())
    ]


def my_progress(session: Session, actor: Actor, *, today: date | None = None) -> list[dict]:
    """The acting user's own paths (empty for someone with none, or without an account)."""
    authorize(actor, Action.ONBOARDING)
    if actor.id is None:
        return []
    assignments = session.scalars(
        select(PathAssignment).where(PathAssignment.user_id == actor.id)
    ).all()
    assignments = sorted(assignments, key=lambda a: a.path_id)
    return [
        _progress_view(*row) for row in _person_rows(session, assignments, today or today_utc())
    ]


def after_attempt(session: Session, user_id: int) -> list[int]:
    """Issue the certificates a just-finished attempt earned its trainee (the ids issued).
    A path file that cannot be read is logged and skipped: the attempt is kept regardless."""
    assignments = session.scalars(
        select(PathAssignment).where(PathAssignment.user_id == user_id)
    ).all()
    if not assignments:
        return []
    before = set(_certificates(session, [user_id]))
    try:
        rows = _person_rows(session, list(assignments), today_utc())
    except TrainerError as exc:
        log.warning("certificates not checked for user %s: %s", user_id, exc.format())
        return []
    return [
        cert.id
        for _a, path, _s, cert in rows
        if cert is not None and (user_id, path.id, path.version) not in before
    ]
