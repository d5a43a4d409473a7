"""What a scorecard is computed from: the filters (date range, period, team, agent), and the
final scores of the conversations the actor may see in that range, loaded into the frames of
`trainer.analytics.scorecards`.

The final score of a conversation is its newest submitted human review, else its newest
automatic evaluation (`trainer.services.reviews.final_evaluation`); here it is picked for every
conversation at once with a window function, so a 10,000-conversation team is two queries.
Role-play attempts are practice and are loaded apart (`roleplay=True`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, visible_conversations
from trainer.access.policy import Scope, not_found, scope_of
from trainer.analytics.scorecards import PERIODS, UNKNOWN_AGENT
from trainer.db.models import (
    ConversationRecord,
    CriterionScore,
    Evaluation,
    RubricRecord,
    Team,
    User,
    team_members,
)
from trainer.db.repository import counts_toward_scores
from trainer.errors import ReportError

DEFAULT_DAYS = 30
EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)
CONVERSATION_COLUMNS = [
    "conversation",
    "external_id",
    "agent_id",
    "agent",
    "teams",
    "at",
    "kind",
    "score",
    "evaluation",
]

CRITERION_COLUMNS = ["agent", "part", "total", "n"]  # sums per agent and criterion
CRITERION_VALUE_COLUMNS = ["conversation", "part", "value"]  # one criterion, per conversation


@dataclass(frozen=True)
class ScorecardFilter:
    """Which conversations a scorecard covers: started between `since` and `until` (both
    days included; default the last 30 days up to today, UTC), optionally one team's or one
    agent's; trends per `period` (day, week or month)."""

    since: date | None = None
    until: date | None = None
    period: str = "week"
    team: str | None = None
    agent: str | None = None

    def resolved(self, today: date | None = None) -> ScorecardFilter:
        """The same filter with both ends of the range filled in (and checked)."""
        until = self.until or today or datetime.now(UTC).date()
        for name, day in (("since", self.since), ("until", until)):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise ReportError(
                    f"{day} is outside the years {EARLIEST.year}-{LATEST.year}",
                    where=name,
                    fix="give a day within them",
                )
        since = self.since or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise ReportError(
                f"the range starts ({since}) after it ends ({until})",
                where="since",
                fix="give a --since on or before --until",
            )
        if self.period not in PERIODS:
            raise ReportError(
                f"unknown period {self.period!r}",
                where="period",
                fix=f"use one of {', '.join(PERIODS)}",
            )
        return replace(self, since=since, until=until)


def parse_day(value: str | date | None, where: str) -> date | None:
    """A day from `YYYY-MM-DD` (None or blank: not given); ReportError naming `where` else."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportError(
            f"{text!r} is not a date", where=where, fix="write it as YYYY-MM-DD"
        ) from None


def make_filter(
    since: str | date | None = None,
    until: str | date | None = None,
    period: str = "week",
    team: str | None = None,
    agent: str | None = None,
    today: date | None = None,
) -> ScorecardFilter:
    """A checked, resolved ScorecardFilter from what a person typed (CLI, API, page)."""
    return ScorecardFilter(
        since=parse_day(since, "since"),
        until=parse_day(until, "until"),
        period=(period or "week").strip().lower(),
        team=(team or "").strip() or None,
        agent=(agent or "").strip() or None,
    ).resolved(today)


@dataclass
class ScorecardData:
    """The frames a scorecard is computed from, and what the actor may see of teams."""

    filters: ScorecardFilter
    conversations: pd.DataFrame
    sections: pd.DataFrame
    criteria: pd.DataFrame
    criterion_values: pd.DataFrame | None = None
    outline: list[dict] = field(default_factory=list)
    # team names whose rows the actor may see; None: every team (and "no team")
    team_scope: frozenset[str] | None = None


def _moment(session: Session):
    # when a conversation happened: its start, else when it was stored
    return func.coalesce(ConversationRecord.started_at, ConversationRecord.created_at)


def _narrow(actor: Actor, query: Select, roleplay: bool) -> Select:
    """Scorecards of QA conversations follow VIEW_SCORECARDS; role-play attempts follow who
    may follow the trainee's onboarding, and everyone sees their own practice."""
    if not roleplay:
        return visible_conversations(actor, query, Action.VIEW_SCORECARDS)
    if scope_of(actor, Action.ONBOARDING) is Scope.NONE:
        return visible_conversations(actor, query, Action.PRACTISE)
    return visible_conversations(actor, query, Action.ONBOARDING)


def handled_by(agent: str):
    """The SQL condition for conversations a scorecard shows under `agent`: the linked user's
    name, else the name the source gave, else UNKNOWN_AGENT (as the frames name them)."""
    linked = select(User.id).where(User.name == agent)
    unlinked = ConversationRecord.agent_id.is_(None) & (
        func.coalesce(ConversationRecord.agent_name, UNKNOWN_AGENT) == agent
    )
    return ConversationRecord.agent_id.in_(linked) | unlinked


def in_team(team: str):
    """The SQL condition for conversations whose agent is now a member of the team `team`."""
    members = (
        select(team_members.c.user_id)
        .join(Team, Team.id == team_members.c.team_id)
        .where(Team.name == team)
    )
    return ConversationRecord.agent_id.in_(members)


def _team_scope(session: Session, actor: Actor) -> frozenset[str] | None:
    scope = scope_of(actor, Action.VIEW_SCORECARDS)
    if scope is Scope.ALL:
        return None
    if scope is Scope.TEAM and actor.team_ids:
        names = session.scalars(select(Team.name).where(Team.id.in_(sorted(actor.team_ids))))
        return frozenset(names)
    return frozenset()


def _ranked(actor: Actor, filters: ScorecardFilter, session: Session, roleplay: bool):
    """Every counting evaluation of the conversations in range, ranked: 1 is the final one."""
    start = datetime.combine(filters.since, time.min, UTC)
    end = datetime.combine(filters.until + timedelta(days=1), time.min, UTC)
    moment = _moment(session)
    conversations = select(ConversationRecord.id).where(moment >= start, moment < end)
    if roleplay:
        conversations = conversations.where(ConversationRecord.channel == "roleplay")
    else:
        conversations = conversations.where(ConversationRecord.channel != "roleplay")
    if filters.team:
        conversations = conversations.where(in_team(filters.team))
    if filters.agent:
        conversations = conversations.where(handled_by(filters.agent))
    conversations = _narrow(actor, conversations, roleplay)
    rank = func.row_number().over(
        partition_by=Evaluation.conversation_id,
        order_by=(
            (Evaluation.kind == "human").desc(),
            Evaluation.submitted_at.desc().nulls_last(),
            Evaluation.created_at.desc(),
            Evaluation.id.desc(),
        ),
    )
    return (
        select(
            Evaluation.id.label("eid"),
            Evaluation.conversation_id.label("cid"),
            Evaluation.kind,
            Evaluation.score,
            Evaluation.sections,
            Evaluation.rubric_id,
            rank.label("rank"),
        )
        .where(counts_toward_scores(), Evaluation.conversation_id.in_(conversations))
        .subquery()
    )


def check_team(session: Session, actor: Actor, team: str | None) -> None:
    """NotFoundError when the team does not exist or its scorecard is not the actor's to see."""
    if team is None:
        return
    exists = session.scalar(select(Team.id).where(Team.name == team))
    scope = _team_scope(session, actor)
    if exists is None or (scope is not None and team not in scope):
        raise not_found(f"team {team!r}")


def load(
    session: Session,
    actor: Actor,
    filters: ScorecardFilter,
    *,
    roleplay: bool = False,
    criterion: str | None = None,
) -> ScorecardData:
    """The final scores (overall, per section, per criterion) of the conversations in the
    filter's range that the actor may see, and with `criterion` that criterion's value in
    each of them instead of every criterion's sums. `filters` must be resolved."""
    ranked = _ranked(actor, filters, session, roleplay)
    final = ranked.c.rank == 1
    # Core, not ORM, execution: plain rows, no per-row ORM bookkeeping (10,000s of them).
    rows = (
        session.connection()
        .execute(
            select(
                ConversationRecord.id.label("conversation"),
                ConversationRecord.external_id,
                ConversationRecord.agent_id,
                func.coalesce(User.name, ConversationRecord.agent_name, UNKNOWN_AGENT).label(
                    "agent"
                ),
                _moment(session).label("at"),
                ranked.c.kind,
                ranked.c.score,
                ranked.c.sections,
                ranked.c.rubric_id,
                ranked.c.eid.label("evaluation"),
            )
            .join(ranked, (ranked.c.cid == ConversationRecord.id) & final)
            .outerjoin(User, User.id == ConversationRecord.agent_id)
        )
        .all()
    )
    conversations = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "conversation",
            "external_id",
            "agent_id",
            "agent",
            "at",
            "kind",
            "score",
            "sections",
            "rubric_id",
            "evaluation",
        ],
    )
    teams = _teams_of(session, conversations["agent_id"].dropna().unique().tolist())
    conversations["teams"] = [
        teams.get(a, ()) if pd.notna(a) else () for a in conversations["agent_id"]
    ]
    conversations["score"] = pd.to_numeric(conversations["score"], errors="coerce")
    sections = pd.DataFrame(
        [
            (cid, part, float(value), 1)
            for cid, parts in zip(
                conversations["conversation"], conversations["sections"], strict=False
            )
            for part, value in (parts or {}).items()
            if value is not None
        ],
        columns=["conversation", "part", "total", "n"],
    )
    # The drill-down needs one criterion's values, not every criterion's sums; and with no
    # conversation in range (most agents' practice) there is nothing to ask the database.
    values = None
    if criterion:
        criteria = pd.DataFrame(columns=CRITERION_COLUMNS)
        values = _criteria(session, ranked, criterion, empty=conversations.empty)
    else:
        criteria = _criteria(session, ranked, empty=conversations.empty)
    outline = _outline(session, conversations["rubric_id"].dropna().unique().tolist())
    return ScorecardData(
        filters=filters,
        conversations=conversations[CONVERSATION_COLUMNS].reset_index(drop=True),
        sections=sections,
        criteria=criteria,
        criterion_values=values,
        outline=outline,
        team_scope=_team_scope(session, actor),
    )


def _criteria(
    session: Session, ranked, criterion: str | None = None, *, empty: bool = False
) -> pd.DataFrame:
    """Criterion values (0-100) of the final evaluations, N/A and unscored left out (they never
    count as zero). Summed per agent and criterion by the database (`agent`, `part`, `total`,
    `n`): a 10,000-conversation team is a thousand rows, not two hundred thousand. With
    `criterion`, that criterion's value per conversation instead (`conversation`, `part`,
    `value`), for the drill-down; `empty`: there are none, so the frame is empty unasked."""
    if empty:
        return pd.DataFrame(columns=CRITERION_VALUE_COLUMNS if criterion else CRITERION_COLUMNS)
    name = func.coalesce(User.name, ConversationRecord.agent_name, UNKNOWN_AGENT)
    scored = (
        select()
        .select_from(ranked)
        .join(CriterionScore, CriterionScore.evaluation_id == ranked.c.eid)
        .join(ConversationRecord, ConversationRecord.id == ranked.c.cid)
        .outerjoin(User, User.id == ConversationRecord.agent_id)
        .where(
            ranked.c.rank == 1,
            CriterionScore.status == "scored",
            CriterionScore.value.is_not(None),
        )
    )
    if criterion is not None:
        query = scored.add_columns(
            ranked.c.cid, CriterionScore.criterion_id, CriterionScore.value * 100.0
        ).where(CriterionScore.criterion_id == criterion)
        columns = CRITERION_VALUE_COLUMNS
    else:
        query = scored.add_columns(
            name,
            CriterionScore.criterion_id,
            func.sum(CriterionScore.value) * 100.0,
            func.count(),
        ).group_by(name, CriterionScore.criterion_id)
        columns = CRITERION_COLUMNS
    rows = session.connection().execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _teams_of(session: Session, agent_ids: list) -> dict[int, tuple[str, ...]]:
    """Each agent's team names, sorted."""
    if not agent_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(team_members.c.user_id, Team.name)
        .join(Team, Team.id == team_members.c.team_id)
        .where(team_members.c.user_id.in_([int(a) for a in agent_ids]))
    )
    for user_id, name in rows:
        found.setdefault(user_id, []).append(name)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _outline(session: Session, rubric_ids: list) -> list[dict]:
    """Sections and criteria with their titles, in the order of the rubric definitions that
    scored these conversations (newest version first; what only older ones had comes after)."""
    if not rubric_ids:
        return []
    definitions = session.scalars(
        select(RubricRecord.definition)
        .where(RubricRecord.id.in_([int(r) for r in rubric_ids]))
        .order_by(RubricRecord.version.desc(), RubricRecord.id.desc())
    ).all()
    sections: dict[str, dict] = {}
    seen: set[str] = set()
    for definition in definitions:
        for section in definition.get("sections") or []:
            entry = sections.setdefault(
                section["id"],
                {"id": section["id"], "title": section.get("title", section["id"]), "criteria": []},
            )
            for criterion in section.get("criteria") or []:
                if criterion["id"] in seen:
                    continue
                seen.add(criterion["id"])
                entry["criteria"].append(
                    {"id": criterion["id"], "title": criterion.get("title", criterion["id"])}
                )
    return list(sections.values())
