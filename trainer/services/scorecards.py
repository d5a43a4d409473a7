"""Team and agent scorecards over a date range (default: the last 30 days), from final scores
(the submitted human review where there is one, else the automatic score), role-play practice
kept apart: per section and per criterion with the number of conversations behind each figure,
a 95% interval on each agent's and team's score, weekly trends, the score distribution, and the
drill-down team → agent → criterion → the conversations and evidence behind it.

Every function takes the session and the acting user and asks the policy first
(Action.VIEW_SCORECARDS: an agent or trainee sees their own, a lead their teams', reviewers,
HR and admins everyone's). Section and criterion titles and order come from the rubric
definitions stored with the evaluations, never from code.

Other figures can sit beside the rubric's (first-contact resolution, for one): a module calls
`register_column(ExtraColumn(...))` and every report carries its values per agent and team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize, can, visible_conversations
from trainer.access.policy import not_found
from trainer.analytics import scorecards as sc
from trainer.analytics.intervals import interval_of
from trainer.db.models import ConversationRecord, User
from trainer.errors import ReportError
from trainer.services.scorecard_data import (
    ScorecardData,
    ScorecardFilter,
    check_team,
    load,
    make_filter,
)

BY = ("agent", "team")
ALL = "All"


@dataclass(frozen=True)
class ColumnValues:
    """An extra column's figures: {agent name: (value, n)} and {team name: (value, n)}."""

    agents: dict[str, tuple[float | None, int]] = field(default_factory=dict)
    teams: dict[str, tuple[float | None, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraColumn:
    """A figure beside the rubric's (e.g. first-contact resolution), shown after the section
    `after_section` where given. `values(session, actor, filters)` computes it for the same
    actor and filters (it must ask the policy itself)."""

    key: str
    title: str
    values: Callable[[Session, Actor, ScorecardFilter], ColumnValues]
    after_section: str | None = None


EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


def register_column(column: ExtraColumn) -> None:
    """Add (or replace, by key) a column every scorecard report carries."""
    EXTRA_COLUMNS[column.key] = column


def _number(value) -> float | None:
    """A float for JSON, None for a missing value."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), 1)


def _parts_by_group(means: pd.DataFrame) -> dict[str, dict[str, tuple[float, int]]]:
    found: dict[str, dict[str, tuple[float, int]]] = {}
    for group, part, score, n in means.itertuples(index=False, name=None):
        found.setdefault(group, {})[part] = (score, int(n))
    return found


def _rows(data: ScorecardData, by: str, extra: dict[str, ColumnValues]) -> list[dict]:
    """One row per agent or team: overall with interval, sections and criteria with n."""
    if by == "team" and data.team_scope == frozenset():
        return []  # no team is the actor's to see (an agent's own scorecard)
    grouped = sc.grouped_by(data.conversations, by)
    if by == "team" and data.team_scope is not None:
        grouped = grouped[grouped["group"].isin(data.team_scope)]
    if by == "team" and data.filters.team:
        grouped = grouped[grouped["group"] == data.filters.team]
    summary = sc.overall(grouped)
    sections = _parts_by_group(sc.part_means(grouped, data.sections))
    criteria = _parts_by_group(sc.part_means(grouped, data.criteria, on="agent"))
    teams = {}
    if by == "agent":
        teams = dict(zip(data.conversations["agent"], data.conversations["teams"], strict=False))
    rows = []
    for record in summary.to_dict(orient="records"):
        group = record["group"]
        row = {by: group}
        if by == "agent":
            row["teams"] = list(teams.get(group, ()))
        row |= {
            "conversations": int(record["conversations"]),
            "reviewed": int(record["reviewed"]),
            "score": _number(record["score"]),
            "low": _number(record["low"]),
            "high": _number(record["high"]),
            "uncertain": bool(record["uncertain"]),
            "sections": [
                _part(s["id"], s["title"], sections.get(group, {}).get(s["id"]))
                for s in data.outline
            ],
            "criteria": [
                _part(c["id"], c["title"], criteria.get(group, {}).get(c["id"]), s["id"])
                for s in data.outline
                for c in s["criteria"]
            ],
            "extra": {
                key: _extra(values.agents if by == "agent" else values.teams, group)
                for key, values in extra.items()
            },
        }
        rows.append(row)
    return rows


def _part(key: str, title: str, stats: tuple[float, int] | None, section: str | None = None):
    part = {"id": key, "title": title, "score": None, "n": 0}
    if section is not None:
        part["section"] = section
    if stats is not None:
        part["score"], part["n"] = _number(stats[0]), stats[1]
    return part


def _extra(values: dict, group: str) -> dict:
    value, n = values.get(group, (None, 0))
    return {"value": _number(value), "n": int(n)}


def _trends(data: ScorecardData) -> list[dict]:
    """Per period: everyone in the selection, each team and each agent."""
    rows: list[dict] = []
    conversations = data.conversations
    if not conversations.empty:  # the period of each conversation, once for every level
        conversations = conversations.assign(
            period=sc.period_start(conversations["at"], data.filters.period)
        )
    everyone = conversations.assign(group=ALL)
    for level in ("all", "team", "agent"):
        if level == "team" and data.team_scope == frozenset():
            continue  # no team is the actor's to see
        grouped = everyone if level == "all" else sc.grouped_by(conversations, level)
        if level == "team" and data.team_scope is not None:
            grouped = grouped[grouped["group"].isin(data.team_scope)]
        trend = sc.trend(grouped, data.filters.period)
        for group, period, n, score in trend.itertuples(index=False, name=None):
            rows.append(
                {
                    "level": level,
                    "group": group,
                    "period": period.isoformat(),
                    "n": int(n),
                    "score": _number(score),
                }
            )
    return rows


def _practice(session: Session, actor: Actor, filters: ScorecardFilter) -> list[dict]:
    """Role-play practice per trainee, apart from QA scores: attempts scored and their mean."""
    practice = load(session, actor, filters, roleplay=True)
    summary = sc.overall(sc.grouped_by(practice.conversations, "agent"))
    return [
        {
            "agent": r["group"],
            "attempts": int(r["conversations"]),
            "score": _number(r["score"]),
            "low": _number(r["low"]),
            "high": _number(r["high"]),
            "uncertain": bool(r["uncertain"]),
        }
        for r in summary.to_dict(orient="records")
    ]


def _check_agent(session: Session, actor: Actor, agent: str | None) -> None:
    """NotFoundError for a named account whose scorecard is not the actor's to see."""
    if agent is None:
        return
    from trainer.access.policy import Subject

    user = session.scalar(select(User).where(User.name == agent))
    if user is None:
        return  # a name from a source with no account: the narrowed query decides
    subject = Subject(f"agent {agent!r}", owner_id=user.id, owner_team_ids=user.team_ids)
    if not can(actor, Action.VIEW_SCORECARDS, subject):
        raise not_found(f"agent {agent!r}")


def scorecard_report(
    session: Session,
    actor: Actor,
    filters: ScorecardFilter | None = None,
    *,
    practice: bool = True,
) -> dict:
    """The scorecards the actor may see over the filter's range: `agents` and `teams` rows,
    `overall` (everyone selected), the rubric `sections` outline (titles and order), `trends`
    per period, the score `distribution`, role-play `practice` apart, and `extra_columns`."""
    import trainer.services.fcr  # noqa: F401 - registers the FCR column (imports this module)

    authorize(actor, Action.VIEW_SCORECARDS)
    filters = (filters or ScorecardFilter()).resolved()
    check_team(session, actor, filters.team)
    _check_agent(session, actor, filters.agent)
    data = load(session, actor, filters)
    extra = {key: column.values(session, actor, filters) for key, column in EXTRA_COLUMNS.items()}
    everyone = sc.overall(data.conversations.assign(group=ALL))
    overall = everyone.to_dict(orient="records")[0] if not everyone.empty else None
    return {
        "since": filters.since.isoformat(),
        "until": filters.until.isoformat(),
        "period": filters.period,
        "team": filters.team,
        "agent": filters.agent,
        "sections": data.outline,
        "extra_columns": [
            {"key": c.key, "title": c.title, "after_section": c.after_section}
            for c in EXTRA_COLUMNS.values()
        ],
        "overall": {
            "conversations": int(overall["conversations"]) if overall else 0,
            "reviewed": int(overall["reviewed"]) if overall else 0,
            "score": _number(overall["score"]) if overall else None,
            "low": _number(overall["low"]) if overall else None,
            "high": _number(overall["high"]) if overall else None,
        },
        "agents": _rows(data, "agent", extra),
        "teams": _rows(data, "team", extra),
        "trends": _trends(data),
        "distribution": sc.distribution(data.conversations["score"]).to_dict(orient="records"),
        "practice": _practice(session, actor, filters) if practice else [],
    }


def agent_scorecard(
    session: Session, actor: Actor, agent: str, filters: ScorecardFilter | None = None
) -> dict:
    """One agent's scorecard: the report narrowed to them, their row, weekly trend, and their
    best and worst criteria (strengths and misses)."""
    filters = filters or ScorecardFilter()
    report = scorecard_report(
        session, actor, ScorecardFilter(filters.since, filters.until, filters.period, None, agent)
    )
    row = next((r for r in report["agents"] if r["agent"] == agent), None)
    strengths, misses = sc.strengths_and_misses(row["criteria"] if row else [])
    return report | {
        "row": row,
        "trend": [t for t in report["trends"] if t["level"] == "all"],
        "strengths": strengths,
        "misses": [m for m in misses if (m["score"] or 0) < 100],
    }


def criterion_drilldown(
    session: Session,
    actor: Actor,
    agent: str,
    criterion: str,
    filters: ScorecardFilter | None = None,
    limit: int = 200,
) -> dict:
    """The conversations behind one agent's figure for one criterion, worst first: each with
    its final value, the explanation and the evidence (turn, span and the quoted words)."""
    from trainer.services.scorecard_evidence import evidence_rows

    authorize(actor, Action.VIEW_SCORECARDS)
    filters = ScorecardFilter(
        (filters or ScorecardFilter()).since,
        (filters or ScorecardFilter()).until,
        (filters or ScorecardFilter()).period,
        None,
        agent,
    ).resolved()
    _check_agent(session, actor, agent)
    data = load(session, actor, filters, criterion=criterion)
    titles = {c["id"]: (c["title"], s) for s in data.outline for c in s["criteria"]}
    if data.outline and criterion not in titles:
        raise ReportError(
            f"no criterion {criterion!r} in the rubrics of these conversations",
            where="criterion",
            fix="pick a criterion from the agent's scorecard",
        )
    title, section = titles.get(criterion, (criterion, {"id": None, "title": None}))
    values = data.criterion_values
    stats = interval_of(values["value"].mean() if len(values) else None, len(values))
    return {
        "agent": agent,
        "since": filters.since.isoformat(),
        "until": filters.until.isoformat(),
        "criterion": {
            "id": criterion,
            "title": title,
            "section": section["id"],
            "section_title": section["title"],
        },
        "score": _number(stats.mean),
        "low": _number(stats.low),
        "high": _number(stats.high),
        "n": stats.n,
        "conversations": evidence_rows(session, data, criterion, limit),
    }


def make_report_filter(**kwargs) -> ScorecardFilter:
    """`make_filter` re-exported for the CLI, API and pages (one import for callers)."""
    return make_filter(**kwargs)


def flat_rows(report: dict, by: str = "agent") -> tuple[list[tuple[str, str]], list[dict]]:
    """A scorecard table as (columns as (key, title), rows as {key: value}): the agent or team,
    conversations, reviewed, score and its interval, each section and criterion with its n,
    and the extra columns. What CSV, Excel and `trainer report` print."""
    if by not in BY:
        raise ReportError(f"cannot group by {by!r}", where="by", fix="use agent or team")
    columns = [(by, by.title())]
    if by == "agent":
        columns.append(("teams", "Teams"))
    columns += [
        ("conversations", "Conversations"),
        ("reviewed", "Reviewed"),
        ("score", "Score"),
        ("low", "95% low"),
        ("high", "95% high"),
        ("uncertain", "Uncertain"),
    ]
    for section in report["sections"]:
        columns += [(section["id"], section["title"]), (f"{section['id']}_n", "n")]
        columns += [
            (c["key"], c["title"])
            for c in report["extra_columns"]
            if c["after_section"] == section["id"]
        ]
    section_ids = {s["id"] for s in report["sections"]}
    columns += [
        (c["key"], c["title"])
        for c in report["extra_columns"]
        if c["after_section"] not in section_ids
    ]
    for section in report["sections"]:
        for criterion in section["criteria"]:
            key = f"{section['id']}.{criterion['id']}"
            columns += [(key, f"{section['title']}: {criterion['title']}"), (f"{key}_n", "n")]
    rows = []
    for source in report["agents" if by == "agent" else "teams"]:
        row = {key: value for key, value in source.items() if not isinstance(value, list | dict)}
        if by == "agent":
            row["teams"] = ", ".join(source["teams"])
        for part in source["sections"]:
            row[part["id"]], row[f"{part['id']}_n"] = part["score"], part["n"]
        for part in source["criteria"]:
            key = f"{part['section']}.{part['id']}"
            row[key], row[f"{key}_n"] = part["score"], part["n"]
        for key, value in source["extra"].items():
            row[key] = value["value"]
        rows.append({key: row.get(key) for key, _ in columns})
    return columns, rows


def latest_activity(session: Session, actor: Actor) -> date | None:
    """The day of the newest conversation (not role-play) the actor's scorecards cover, or
    None: where an empty range can point the user when their data is older."""
    authorize(actor, Action.VIEW_SCORECARDS)
    query = visible_conversations(
        actor,
        select(func.max(ConversationRecord.started_at)).where(
            ConversationRecord.channel != "roleplay"
        ),
        Action.VIEW_SCORECARDS,
    )
    newest = session.scalar(query)
    return newest.date() if newest is not None else None
