"""First-contact resolution per agent and team, from repeat contacts (see trainer/analytics/fcr.py
for the rule), for the people who may see scorecards (Action.VIEW_SCORECARDS: an agent their
own, a lead their teams', reviewers, HR and admins everyone's).

Repeats are looked for among every conversation, whoever handled it: a customer who comes back
to another team still was not helped the first time. A repeat the actor may not see is listed
with its id withheld (None), so the pair says "came back" without naming someone else's
conversation. Role-play practice is never a contact. The window is `days`, else
$TRAINER_FCR_DAYS, else 7.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.policy import Scope, scope_of, visible_conversations
from trainer.analytics.fcr import contact_outcomes, fcr_rows
from trainer.customer_keys import name_key, ref_key
from trainer.db.models import ConversationRecord, Team, User, team_members
from trainer.errors import ReportError
from trainer.services.scorecard_data import handled_by, in_team
from trainer.services.scorecards import ColumnValues, ExtraColumn, register_column

DEFAULT_DAYS = 7
DAYS_ENV = "TRAINER_FCR_DAYS"
BY = ("agent", "team")
HIDDEN = "(not visible to you)"  # a repeat contact in a conversation the actor may not see


def fcr_days(days: int | None = None) -> int:
    """The repeat window in days: `days`, else $TRAINER_FCR_DAYS, else 7; ReportError when it
    is not a whole number of at least 1."""
    where = "--days"
    if days is None:
        raw = os.environ.get(DAYS_ENV, "").strip()
        if not raw:
            return DEFAULT_DAYS
        where = DAYS_ENV
        try:
            days = int(raw)
        except ValueError:
            raise ReportError(
                f"{raw!r} is not a number of days", where=where, fix="set a whole number, e.g. 7"
            ) from None
    if days < 1:
        raise ReportError(f"{days} days is no window", where=where, fix="use 1 or more days")
    return days


def contacts_frame(session: Session, *conditions) -> pd.DataFrame:
    """Every conversation that is a contact (not role-play), or those meeting `conditions`:
    `cid`, `conversation`, `agent`, `agent_id`, `teams` (names), `started_at` (UTC),
    `customer_ref`, `customer`, `reason`."""
    # Core rows (no ORM bookkeeping): a range can hold tens of thousands of contacts.
    rows = (
        session.connection()
        .execute(
            select(
                ConversationRecord.id.label("cid"),
                ConversationRecord.external_id.label("conversation"),
                func.coalesce(User.name, ConversationRecord.agent_name).label("agent"),
                ConversationRecord.agent_id,
                ConversationRecord.started_at,
                ConversationRecord.customer_ref,
                ConversationRecord.customer_name.label("customer"),
                ConversationRecord.contact_reason.label("reason"),
            )
            .outerjoin(User, User.id == ConversationRecord.agent_id)
            .where(ConversationRecord.channel != "roleplay", *conditions)
        )
        .all()
    )
    columns = [
        "cid", "conversation", "agent", "agent_id", "started_at", "customer_ref", "customer",
        "reason",
    ]  # fmt: skip
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    teams = _team_names(session)
    frame["teams"] = [teams.get(a, []) if pd.notna(a) else [] for a in frame["agent_id"]]
    # SQLite returns naive datetimes for timezone-aware columns: they are UTC.
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return frame


def _team_names(session: Session) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for user_id, name in session.execute(
        select(team_members.c.user_id, Team.name).join(Team, Team.id == team_members.c.team_id)
    ):
        found.setdefault(user_id, []).append(name)
    return found


def _visible_ids(session: Session, actor: Actor, cids: list[int] | None = None) -> set[int]:
    """The ids the actor may see (among `cids`, when given)."""
    query = visible_conversations(actor, select(ConversationRecord.id), Action.VIEW_SCORECARDS)
    if cids is None:
        return set(session.scalars(query))
    found: set[int] = set()
    for start in range(0, len(cids), 5000):  # bound the IN list
        chunk = cids[start : start + 5000]
        found |= set(session.scalars(query.where(ConversationRecord.id.in_(chunk))))
    return found


def _ranged_contacts(
    session: Session,
    actor: Actor,
    since: date | None,
    until: date | None,
    window: int,
    narrow: tuple = (),
) -> tuple[pd.DataFrame, set[int]]:
    """The contacts an outcome in since..until can depend on: the actor's visible ones in the
    range meeting the `narrow` conditions (their ids come second), and any later one within
    the window of the same customer, whoever handled it.
    Not every conversation: a scorecard over 100,000 of them must not load them all.

    The SQL narrowing of the later ones keeps every contact `contact_outcomes` could pair
    (references compared trimmed and lower-cased, which for the ASCII ids and emails sources
    give is what `ref_key` does; names by their stored `name_key`); `contact_outcomes` then
    decides exactly."""
    moment = ConversationRecord.started_at
    start = _day_start(since) if since is not None else None
    end = _day_start(until + timedelta(days=1)) if until is not None else None
    in_range = select(ConversationRecord.id).where(*narrow)
    if start is not None:
        in_range = in_range.where(moment >= start)
    if end is not None:
        in_range = in_range.where(moment < end)
    in_range = visible_conversations(actor, in_range, Action.VIEW_SCORECARDS)
    shown = contacts_frame(session, ConversationRecord.id.in_(in_range))
    first = shown["started_at"].min()
    shown_ids = {int(c) for c in shown["cid"]}
    if shown.empty or pd.isna(first):
        return shown, shown_ids  # no contact placed in time: no outcome to know
    later = [moment > first.to_pydatetime()]
    if end is not None:
        later.append(moment <= end + timedelta(days=window))
    later.append(_same_customer(shown))
    candidates = contacts_frame(session, *later)
    return pd.concat([shown, candidates], ignore_index=True).drop_duplicates("cid"), shown_ids


def _same_customer(shown: pd.DataFrame):
    """A SQL condition every later contact of the customers in `shown` meets (a superset:
    `contact_outcomes` decides exactly): the same reference, or the same folded name (the
    stored `customer_key`, which is `name_key` of the name). Each branch reads an index."""
    keys = sorted(set(shown["customer_ref"].map(ref_key).dropna()))
    names = sorted(set(shown["customer"].map(name_key).dropna()))
    # The expression of ix_conversations_customer_ref_key.
    ref = func.lower(func.trim(ConversationRecord.customer_ref))
    name = ConversationRecord.customer_key
    either = [ref.in_(keys[i : i + 5000]) for i in range(0, len(keys), 5000)]
    either += [name.in_(names[i : i + 5000]) for i in range(0, len(names), 5000)]
    return or_(*either) if either else false()


def _visible_teams(session: Session, actor: Actor) -> set[str] | None:
    """The team names whose rows the actor may see (None: all); agents see no team rows, since
    a team's figure would be computed from their own conversations only."""
    scope = scope_of(actor, Action.VIEW_SCORECARDS)
    if scope is Scope.ALL:
        return None
    if scope is Scope.TEAM and actor.team_ids:
        return set(session.scalars(select(Team.name).where(Team.id.in_(sorted(actor.team_ids)))))
    return set()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def fcr_outcomes(
    session: Session,
    actor: Actor,
    *,
    days: int | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
    agent: str | None = None,
    team: str | None = None,
) -> pd.DataFrame:
    """Each contact the actor may see whose window has closed (started between `since` and
    `until`, both days included, when given; handled by `agent`, by a member of `team`, when
    given), with its first repeat's id (None: resolved at
    first contact; a repeat the actor may not see has its id withheld as None in `repeat` and
    True in `repeat_hidden`)."""
    authorize(actor, Action.VIEW_SCORECARDS)
    if since and until and since > until:
        raise ReportError(
            f"the range starts ({since}) after it ends ({until})",
            where="--since",
            fix="give a --since on or before --until",
        )
    window = fcr_days(days)
    shown_ids: set[int] | None = None  # the actor's contacts in range, when loaded apart
    narrow = ()
    if agent is not None:
        narrow += (handled_by(agent),)
    if team is not None:
        narrow += (in_team(team),)
    if since is None and until is None and not narrow:
        contacts = contacts_frame(session)
    else:
        contacts, shown_ids = _ranged_contacts(session, actor, since, until, window, narrow)
    outcomes = contact_outcomes(contacts, window, now or datetime.now(UTC))
    if outcomes.empty:
        return outcomes.assign(repeat_hidden=pd.Series(dtype=bool))
    cid_of = dict(zip(contacts["conversation"], contacts["cid"], strict=True))
    if shown_ids is None:
        visible = _visible_ids(session, actor)
    else:  # only the repeats from outside the actor's own contacts need asking about
        repeats = {cid_of[r] for r in outcomes["repeat"].dropna()} - shown_ids
        visible = shown_ids | _visible_ids(session, actor, sorted(repeats))
    # Loaded apart (any range or narrowing), the outcomes asked for are exactly the shown ones,
    # already in range: the later contacts beside them (another agent's, another team's) only
    # decide whether those were repeated.
    shown = outcomes["conversation"].map(cid_of).isin(visible if shown_ids is None else shown_ids)
    outcomes = outcomes[shown].reset_index(drop=True)
    hidden = outcomes["repeat"].notna() & ~outcomes["repeat"].map(cid_of).isin(visible)
    outcomes["repeat_hidden"] = hidden
    outcomes.loc[hidden, "repeat"] = HIDDEN
    return outcomes


def fcr_report(
    session: Session,
    actor: Actor,
    *,
    days: int | None = None,
    by: tuple[str, ...] = BY,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
    agent: str | None = None,
    team: str | None = None,
) -> list[dict]:
    """FCR rows per agent, then per team, as the actor may see them (of the contacts of
    `agent`, of `team`'s members, when given): `agent`, `team`,
    `conversations`, `resolved_first_contact`, `fcr` (0-1) and `repeats` (pairs of external
    ids: the contact and the customer's next contact about the same reason within the window)."""
    unknown = [b for b in by if b not in BY]
    if unknown:
        raise ReportError(f"unknown grouping {unknown[0]!r}", where="--by", fix="agent or team")
    outcomes = fcr_outcomes(
        session, actor, days=days, since=since, until=until, now=now, agent=agent, team=team
    )
    rows: list[dict] = []
    if "agent" in by:
        rows += fcr_rows(outcomes, "agent")
    if "team" in by:
        teams = _visible_teams(session, actor)
        rows += [r for r in fcr_rows(outcomes, "team") if teams is None or r["team"] in teams]
    for row in rows:
        row["repeats"] = [
            [first, None if later == HIDDEN else later] for first, later in row["repeats"]
        ]
    return rows


def _scorecard_values(session: Session, actor: Actor, filters) -> ColumnValues:
    """FCR (as a percentage, with the contacts behind it) for a scorecard's range."""
    rows = fcr_report(
        session,
        actor,
        since=filters.since,
        until=filters.until,
        agent=filters.agent,
        team=filters.team,
    )
    agents = {r["agent"]: (r["fcr"] * 100, r["conversations"]) for r in rows if r["agent"]}
    teams = {r["team"]: (r["fcr"] * 100, r["conversations"]) for r in rows if r["agent"] is None}
    return ColumnValues(agents=agents, teams=teams)


# Scorecards show FCR beside the rubric's resolution section.
register_column(
    ExtraColumn(
        "fcr", "First-contact resolution (%)", _scorecard_values, after_section="resolution"
    )
)
