"""Assignment rules: who reviews whom, how many conversations per agent per period, and which
conversations are eligible. A lead defines rules over the agents of their own teams, an admin
over anyone (Action.DEFINE_ASSIGNMENTS); every change is audited.

Also here, because the draw and the replacement share them: the period arithmetic (a period
key such as 2026-12-02, 2026-W49 or 2026-12, and when it ends) and the eligibility query, one
SELECT that narrows the conversations in SQL (the draw samples from the ids it returns).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize, can
from trainer.access.policy import Subject, not_found
from trainer.conversation import CHANNELS
from trainer.db.models import (
    AssignmentRule,
    ConversationRecord,
    CriterionScore,
    Evaluation,
    ReviewAssignment,
    Team,
    User,
)
from trainer.db.repository import counts_toward_scores
from trainer.errors import AssignmentError
from trainer.scoring.registry import registry
from trainer.services.audit import record_event

PERIODS = ("daily", "weekly", "monthly")
#: Roles whose accounts may review (they are the ones the policy lets score).
REVIEWER_ROLES = ("reviewer", "lead", "admin")
#: Channels a rule may draw from: role-plays are practice, not QA.
QA_CHANNELS = tuple(c for c in CHANNELS if c != "roleplay")
MAX_PER_AGENT = 1000
SEED_LIMIT = 2**31  # seeds are stored in 32-bit integer columns


@dataclass(frozen=True)
class RuleSpec:
    """A rule as a person writes it: names, not ids. `agents` or `team`, not both."""

    name: str
    reviewers: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    team: str | None = None
    per_agent: int = 5
    period: str = "weekly"
    channel: str | None = None
    since: str | date | None = None
    until: str | date | None = None
    min_score: float | None = None
    max_score: float | None = None
    detector: str | None = None
    unreviewed: bool = False
    flagged: bool = False
    seed: int | None = None


# ---------------------------------------------------------------- periods


def period_key(period: str, now: datetime) -> str:
    """The key of the period holding `now` (UTC): 2026-12-02, 2026-W49 or 2026-12."""
    day = now.astimezone(UTC).date()
    if period == "daily":
        return day.isoformat()
    if period == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the period holding `now`, as UTC datetimes; `end` is when it is due."""
    day = now.astimezone(UTC).date()
    if period == "daily":
        start = day
        end = day + timedelta(days=1)
    elif period == "weekly":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    as_dt = lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)  # noqa: E731
    return as_dt(start), as_dt(end)


# ---------------------------------------------------------------- validation


def _fail(message: str, where: str, fix: str) -> AssignmentError:
    return AssignmentError(message, where=where, fix=fix)


def _user(session: Session, ref: str, where: str) -> User:
    ref = (ref or "").strip()
    user = None
    if "@" in ref:
        user = session.scalar(select(User).where(func.lower(User.email) == ref.lower()))
    user = user or session.scalar(select(User).where(func.lower(User.name) == ref.lower()))
    if user is None:
        raise _fail(f"no user {ref!r}", where, "give a user's name or email ('trainer users list')")
    return user


def _day(value: str | date | None, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise _fail(f"{value!r} is not a date", where, "write it as YYYY-MM-DD") from None


def _score(value: float | None, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(f"{value!r} is not a score", where, "give a number from 0 to 100") from None
    if not 0.0 <= number <= 100.0:
        raise _fail(f"{number:g} is outside 0..100", where, "give a number from 0 to 100")
    return number


def _filters(spec: RuleSpec) -> dict[str, Any]:
    """The stored `filters` of a spec, validated; unset filters are left out."""
    filters: dict[str, Any] = {}
    if spec.channel:
        channel = spec.channel.strip().lower()
        if channel not in QA_CHANNELS:
            raise _fail(f"unknown channel {channel!r}", "--channel", f"use one of {QA_CHANNELS}")
        filters["channel"] = channel
    since, until = _day(spec.since, "--since"), _day(spec.until, "--until")
    if since and until and since > until:
        raise _fail(f"{since} is after {until}", "--since", "give a since date before until")
    filters.update({k: v for k, v in (("since", since), ("until", until)) if v})
    low, high = _score(spec.min_score, "--min-score"), _score(spec.max_score, "--max-score")
    if low is not None and high is not None and low > high:
        raise _fail(f"{low:g} is above {high:g}", "--min-score", "give a min below the max")
    filters.update({k: v for k, v in (("min_score", low), ("max_score", high)) if v is not None})
    if spec.detector:
        name = spec.detector.strip()
        if name not in registry:
            hint = registry.suggest(name)
            fix = f"did you mean {hint}?" if hint else "run 'trainer detectors' for the names"
            raise _fail(f"no detector {name!r}", "--detector", fix)
        filters["detector"] = name
    if spec.unreviewed:
        filters["unreviewed"] = True
    if spec.flagged:
        filters["flagged"] = True
    return filters


def agent_subject(user: User) -> Subject:
    """The policy's view of an agent whose conversations a rule samples."""
    return Subject(label=f"agent {user.name!r}", owner_id=user.id, owner_team_ids=user.team_ids)


def _team_subject(team: Team) -> Subject:
    return Subject(label=f"team {team.name!r}", owner_team_ids=frozenset({team.id}))


def _validated(session: Session, actor: Actor, spec: RuleSpec) -> dict[str, Any]:
    """The column values of a rule from a spec, after checking every field and that the actor
    may define assignments over its agents or team."""
    authorize(actor, Action.DEFINE_ASSIGNMENTS)
    name = " ".join((spec.name or "").split())
    if not name or len(name) > 200:
        raise _fail("a rule needs a name of 1 to 200 characters", "name", "name the rule")
    if spec.period not in PERIODS:
        raise _fail(f"unknown period {spec.period!r}", "--period", f"use one of {PERIODS}")
    if isinstance(spec.per_agent, bool) or not 1 <= int(spec.per_agent) <= MAX_PER_AGENT:
        raise _fail(
            f"{spec.per_agent} conversations per agent", "--per-agent", f"give 1..{MAX_PER_AGENT}"
        )
    reviewers = [_user(session, r, "--reviewer") for r in spec.reviewers if r and r.strip()]
    if not reviewers:
        raise _fail("a rule needs at least one reviewer", "--reviewer", "name a reviewer")
    for reviewer in reviewers:
        if reviewer.role not in REVIEWER_ROLES or not reviewer.active:
            raise _fail(
                f"{reviewer.name} is {'an inactive' if not reviewer.active else 'a'} "
                f"{reviewer.role} account, not an active reviewer",
                "--reviewer",
                f"name an active {', '.join(REVIEWER_ROLES)} account",
            )
    agents = [_user(session, a, "--agent") for a in spec.agents if a and a.strip()]
    team = None
    if spec.team and spec.team.strip():
        team = session.scalar(select(Team).where(func.lower(Team.name) == spec.team.lower()))
        if team is None:
            raise _fail(f"no team {spec.team!r}", "--team", "run 'trainer users teams'")
    if bool(agents) == bool(team):
        raise _fail(
            "a rule samples either named agents or a team", "--agent", "give --agent or --team"
        )
    # A lead may define rules only over agents of the teams they lead (the policy says so).
    for subject in [agent_subject(a) for a in agents] or [_team_subject(team)]:
        authorize(actor, Action.DEFINE_ASSIGNMENTS, subject)
    seed = secrets.randbelow(SEED_LIMIT) if spec.seed is None else int(spec.seed)
    if not 0 <= seed < SEED_LIMIT:
        raise _fail(f"seed {seed} is out of range", "--seed", f"give 0..{SEED_LIMIT - 1}")
    return {
        "name": name,
        "reviewer_ids": list(dict.fromkeys(r.id for r in reviewers)),
        "agent_ids": list(dict.fromkeys(a.id for a in agents)),
        "team_id": team.id if team else None,
        "per_agent": int(spec.per_agent),
        "period": spec.period,
        "filters": _filters(spec),
        "seed": seed,
    }


# ---------------------------------------------------------------- reading rules


def _names(session: Session, ids: list[int]) -> list[str]:
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids or [-1])))}
    return [users[i] for i in ids if i in users]


def rule_view(session: Session, rule: AssignmentRule) -> dict:
    """A rule as plain data, with names instead of ids."""
    team = session.get(Team, rule.team_id) if rule.team_id else None
    return {
        "id": rule.id,
        "name": rule.name,
        "reviewers": _names(session, list(rule.reviewer_ids or [])),
        "agents": _names(session, list(rule.agent_ids or [])),
        "team": team.name if team else None,
        "per_agent": rule.per_agent,
        "period": rule.period,
        "filters": dict(rule.filters or {}),
        "seed": rule.seed,
        "active": rule.active,
    }


def rule_agents(session: Session, rule: AssignmentRule) -> list[User]:
    """The active agents a rule samples now: its named agents, or its team's agent members."""
    if rule.team_id is not None:
        team = session.get(Team, rule.team_id)
        members = team.members if team else []
        return [u for u in members if u.active and u.role == "agent"]
    ids = list(rule.agent_ids or [])
    users = session.scalars(select(User).where(User.id.in_(ids or [-1]))).all()
    return sorted((u for u in users if u.active), key=lambda u: u.id)


def manages(session: Session, actor: Actor, rule: AssignmentRule) -> bool:
    """True when the actor may define this rule: an admin, or a lead whose teams hold all of
    its agents (or its team)."""
    if rule.team_id is not None:
        team = session.get(Team, rule.team_id)
        return team is not None and can(actor, Action.DEFINE_ASSIGNMENTS, _team_subject(team))
    users = session.scalars(select(User).where(User.id.in_(list(rule.agent_ids) or [-1]))).all()
    return bool(users) and all(
        can(actor, Action.DEFINE_ASSIGNMENTS, agent_subject(u)) for u in users
    )


def require_rule(session: Session, actor: Actor, ref: str | int) -> AssignmentRule:
    """A rule by id or name that the actor manages; "not found" otherwise."""
    authorize(actor, Action.DEFINE_ASSIGNMENTS)
    rule = None
    if isinstance(ref, int) or str(ref).isdigit():
        rule = session.get(AssignmentRule, int(ref))
    rule = rule or session.scalar(select(AssignmentRule).where(AssignmentRule.name == str(ref)))
    if rule is None or not manages(session, actor, rule):
        raise not_found(f"assignment rule {ref!r}")
    return rule


def list_rules(session: Session, actor: Actor) -> list[dict]:
    """The rules the actor manages (all for an admin, their teams' for a lead), by name."""
    authorize(actor, Action.DEFINE_ASSIGNMENTS)
    rules = session.scalars(select(AssignmentRule).order_by(AssignmentRule.name)).all()
    return [rule_view(session, r) for r in rules if manages(session, actor, r)]


# ---------------------------------------------------------------- changing rules


def define_rule(session: Session, actor: Actor, spec: RuleSpec) -> dict:
    """Store a new rule (validated, authorized, audited); its seed is random unless given."""
    values = _validated(session, actor, spec)
    if session.scalar(select(AssignmentRule.id).where(AssignmentRule.name == values["name"])):
        raise _fail(f"a rule named {values['name']!r} exists", "name", "pick another name")
    rule = AssignmentRule(created_by_id=actor.id, active=True, **values)
    session.add(rule)
    session.flush()
    view = rule_view(session, rule)
    record_event(
        session,
        actor,
        "assignment_rule.add",
        object_type="assignment_rule",
        object_id=rule.id,
        after=view,
    )
    return view


def spec_of(session: Session, rule: AssignmentRule) -> RuleSpec:
    """The spec a stored rule was defined with (names, filters, seed)."""
    view = rule_view(session, rule)
    return RuleSpec(
        name=rule.name,
        reviewers=view["reviewers"],
        agents=view["agents"],
        team=view["team"],
        per_agent=rule.per_agent,
        period=rule.period,
        seed=rule.seed,
        **{k: v for k, v in view["filters"].items()},
    )


def update_rule(session: Session, actor: Actor, ref: str | int, **changes: Any) -> dict:
    """Change some fields of a rule (RuleSpec names; `agents` and `team` replace each other),
    validated as a whole like a new one; audited with before and after."""
    rule = require_rule(session, actor, ref)
    unknown = set(changes) - set(RuleSpec.__dataclass_fields__)
    if unknown:
        raise _fail(f"unknown field(s) {sorted(unknown)}", "update", "change rule fields only")
    if changes.get("agents"):
        changes.setdefault("team", None)
    if changes.get("team"):
        changes.setdefault("agents", [])
    before = rule_view(session, rule)
    values = _validated(session, actor, replace(spec_of(session, rule), **changes))
    if values["name"] != rule.name and session.scalar(
        select(AssignmentRule.id).where(AssignmentRule.name == values["name"])
    ):
        raise _fail(f"a rule named {values['name']!r} exists", "name", "pick another name")
    for key, value in values.items():
        setattr(rule, key, value)
    session.flush()
    after = rule_view(session, rule)
    record_event(
        session,
        actor,
        "assignment_rule.update",
        object_type="assignment_rule",
        object_id=rule.id,
        before=before,
        after=after,
    )
    return after


def set_rule_active(session: Session, actor: Actor, ref: str | int, active: bool) -> dict:
    """Deactivate (no more draws; its assignments stay) or reactivate a rule; audited."""
    rule = require_rule(session, actor, ref)
    before = rule_view(session, rule)
    rule.active = active
    session.flush()
    after = rule_view(session, rule)
    action = "assignment_rule.activate" if active else "assignment_rule.deactivate"
    record_event(
        session,
        actor,
        action,
        object_type="assignment_rule",
        object_id=rule.id,
        before={"active": before["active"]},
        after={"active": after["active"]},
    )
    return after


# ---------------------------------------------------------------- eligibility


def _final_score():
    """Correlated scalar subquery: the conversation's final score (the newest submitted
    review, else the newest automatic evaluation), as `final_evaluation` picks it."""
    return (
        select(Evaluation.score)
        .where(Evaluation.conversation_id == ConversationRecord.id, counts_toward_scores())
        .order_by(
            (Evaluation.kind == "human").desc(),
            Evaluation.submitted_at.desc().nulls_last(),
            Evaluation.created_at.desc(),
            Evaluation.id.desc(),
        )
        .limit(1)
        .correlate(ConversationRecord)
        .scalar_subquery()
    )


def eligible_query(rule: AssignmentRule, agent_ids: list[int]) -> Select:
    """SELECT (agent_id, conversation id) of the agents' conversations the rule may draw: scored
    QA conversations matching its filters and never assigned by this rule before, by id (a
    stable order, so a seeded sample is reproducible)."""
    c = ConversationRecord
    f = rule.filters or {}
    query = select(c.agent_id, c.id).where(
        c.agent_id.in_(agent_ids or [-1]),
        c.status == "scored",
        c.channel.in_(QA_CHANNELS),
        ~exists().where(
            ReviewAssignment.rule_id == rule.id, ReviewAssignment.conversation_id == c.id
        ),
    )
    if f.get("channel"):
        query = query.where(c.channel == f["channel"])
    when = func.coalesce(c.started_at, c.created_at)
    if f.get("since"):
        query = query.where(when >= _midnight(f["since"]))
    if f.get("until"):
        query = query.where(when < _midnight(f["until"]) + timedelta(days=1))
    if f.get("min_score") is not None or f.get("max_score") is not None:
        score = _final_score()
        if f.get("min_score") is not None:
            query = query.where(score >= f["min_score"])
        if f.get("max_score") is not None:
            query = query.where(score <= f["max_score"])
    if f.get("detector"):
        query = query.where(
            exists()
            .where(Evaluation.conversation_id == c.id, Evaluation.kind == "auto")
            .where(
                and_(
                    CriterionScore.evaluation_id == Evaluation.id,
                    CriterionScore.detector == f["detector"],
                    func.json_array_length(CriterionScore.evidence) > 0,
                )
            )
        )
    if f.get("unreviewed"):
        query = query.where(
            ~exists().where(
                Evaluation.conversation_id == c.id,
                Evaluation.kind == "human",
                Evaluation.status == "submitted",
            )
        )
    if f.get("flagged"):
        query = query.where(c.flagged_at.is_not(None))
    return query.order_by(c.agent_id, c.id)


def _midnight(day: str) -> datetime:
    parsed = date.fromisoformat(day)
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
