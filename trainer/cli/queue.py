"""`trainer queue ...`: assignment rules, the draw (`queue run`, which the worker also runs on
a schedule), a reviewer's queue and replacing one of its items."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import _print_table, acting_actor, app, out, user_errors
from trainer.errors import AssignmentError

queue_app = typer.Typer(help="The review queue: assignment rules and draws.", no_args_is_help=True)
rule_app = typer.Typer(help="Define assignment rules (leads and admins).", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
queue_app.add_typer(rule_app, name="rule")


class Format(StrEnum):
    table = "table"
    json = "json"


class Period(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


Reviewers = Annotated[
    list[str] | None,
    typer.Option("--reviewer", "-r", help="Reviewer name or email (repeatable)."),
]
Agents = Annotated[list[str] | None, typer.Option("--agent", "-a", help="Agent name (repeatable).")]
TeamOpt = Annotated[str | None, typer.Option("--team", help="Every agent of this team.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f")]


def _rule_line(view: dict) -> str:
    who = f"team {view['team']}" if view["team"] else ", ".join(view["agents"])
    filters = " ".join(f"{k}={v}" for k, v in view["filters"].items()) or "no filters"
    state = "active" if view["active"] else "inactive"
    return (
        f"{view['name']} ({state}): {view['per_agent']} per agent {view['period']} of {who} "
        f"to {', '.join(view['reviewers'])}; {filters}; seed {view['seed']}"
    )


@rule_app.command("add")
@user_errors
def rule_add(
    name: Annotated[str, typer.Argument(help="A unique name for the rule.")],
    reviewer: Reviewers = None,
    agent: Agents = None,
    team: TeamOpt = None,
    per_agent: Annotated[int, typer.Option(help="Conversations per agent per period.")] = 5,
    period: Annotated[Period, typer.Option(help="How often to draw.")] = Period.weekly,
    channel: Annotated[str | None, typer.Option(help="Only this channel (chat, call).")] = None,
    since: Annotated[str | None, typer.Option(help="Only conversations from (YYYY-MM-DD).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Only conversations until (YYYY-MM-DD).")
    ] = None,
    min_score: Annotated[float | None, typer.Option(help="Final score at least (0-100).")] = None,
    max_score: Annotated[float | None, typer.Option(help="Final score at most (0-100).")] = None,
    detector: Annotated[
        str | None, typer.Option(help="Only where this detector fired (found evidence).")
    ] = None,
    unreviewed: Annotated[bool, typer.Option(help="Only conversations nobody reviewed.")] = False,
    flagged: Annotated[bool, typer.Option(help="Only conversations the agent flagged.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default random).")] = None,
) -> None:
    """Define a rule: every period, PER_AGENT random eligible conversations of each agent go to
    the reviewers (`trainer --as LEAD queue rule add ...`)."""
    from trainer.db.session import session_scope
    from trainer.services.assignment_rules import RuleSpec, define_rule

    spec = RuleSpec(
        name=name,
        reviewers=reviewer or [],
        agents=agent or [],
        team=team,
        per_agent=per_agent,
        period=period.value,
        channel=channel,
        since=since,
        until=until,
        min_score=min_score,
        max_score=max_score,
        detector=detector,
        unreviewed=unreviewed,
        flagged=flagged,
        seed=seed,
    )
    with session_scope() as session:
        view = define_rule(session, acting_actor(session), spec)
    out.print(f"added {_rule_line(view)}", highlight=False, soft_wrap=True)


@rule_app.command("update")
@user_errors
def rule_update(
    rule: Annotated[str, typer.Argument(help="Rule name or id.")],
    reviewer: Reviewers = None,
    agent: Agents = None,
    team: TeamOpt = None,
    per_agent: Annotated[int | None, typer.Option(help="Conversations per agent.")] = None,
    period: Annotated[Period | None, typer.Option(help="How often to draw.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws.")] = None,
) -> None:
    """Change a rule's reviewers, agents or team, count, period or seed (filters: add a new
    rule and deactivate this one, so past draws stay explainable)."""
    from trainer.db.session import session_scope
    from trainer.services.assignment_rules import update_rule

    changes = {
        "reviewers": reviewer,
        "agents": agent,
        "team": team,
        "per_agent": per_agent,
        "period": period.value if period else None,
        "seed": seed,
    }
    with session_scope() as session:
        view = update_rule(
            session,
            acting_actor(session),
            rule,
            **{k: v for k, v in changes.items() if v not in (None, [])},
        )
    out.print(f"updated {_rule_line(view)}", highlight=False, soft_wrap=True)


def _set_active(rule: str, active: bool) -> None:
    from trainer.db.session import session_scope
    from trainer.services.assignment_rules import set_rule_active

    with session_scope() as session:
        view = set_rule_active(session, acting_actor(session), rule, active)
    out.print(_rule_line(view), highlight=False, soft_wrap=True)


@rule_app.command("deactivate")
@user_errors
def rule_deactivate(rule: Annotated[str, typer.Argument(help="Rule name or id.")]) -> None:
    """Stop a rule drawing (its assignments stay)."""
    _set_active(rule, False)


@rule_app.command("activate")
@user_errors
def rule_activate(rule: Annotated[str, typer.Argument(help="Rule name or id.")]) -> None:
    """Let a deactivated rule draw again."""
    _set_active(rule, True)


@queue_app.command("rules")
@user_errors
def rules(format: FormatOpt = Format.table) -> None:
    """The rules you manage (all for an admin, your teams' for a lead)."""
    from trainer.db.session import session_scope
    from trainer.services.assignment_rules import list_rules

    with session_scope() as session:
        views = list_rules(session, acting_actor(session))
    if format is Format.json:
        print(json.dumps(views, indent=2))
        return
    if not views:
        out.print("no assignment rules yet ('trainer queue rule add ...')")
    for view in views:
        out.print(_rule_line(view), highlight=False, soft_wrap=True)


def _parse_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise AssignmentError(
            f"{text!r} is not a date", where="--at", fix="use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@queue_app.command("run")
@user_errors
def run(
    at: Annotated[
        str | None, typer.Option(help="Draw as if it were this date (default: now).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Draw the assignments due now for every active rule (idempotent within a period)."""
    from trainer.db.session import session_scope
    from trainer.services.assignments import draw_due

    with session_scope() as session:
        summary = draw_due(session, acting_actor(session), _parse_at(at))
    if format is Format.json:
        print(json.dumps(summary, indent=2))
        return
    out.print(f"{summary['assigned']} assigned", highlight=False)
    for rule in summary["rules"]:
        out.print(
            f"  {rule['rule']} {rule['period']}: {rule['assigned']} assigned", highlight=False
        )
        for short in rule["short"]:
            out.print(
                f"    {short['agent']}: {short['drawn']} of {short['wanted']} "
                f"({short['eligible']} eligible{'; ' + short['why'] if 'why' in short else ''})",
                highlight=False,
            )


@queue_app.command("list")
@user_errors
def list_queue(
    reviewer: Annotated[
        str | None, typer.Option(help="Another reviewer's queue (leads and admins).")
    ] = None,
    format: FormatOpt = Format.table,
) -> None:
    """Your review queue (`trainer --as REVIEWER queue list`): items, progress, overdue."""
    from trainer.db.session import session_scope
    from trainer.services.assignments import my_queue

    with session_scope() as session:
        view = my_queue(session, acting_actor(session), reviewer=reviewer)
    if format is Format.json:
        print(json.dumps(view, indent=2))
        return
    out.print(
        f"{view['reviewer']}: {view['done']}/{view['total']} done, {view['open']} open, "
        f"{view['overdue']} overdue",
        highlight=False,
    )
    for group in view["progress"]:
        out.print(
            f"  {group['rule']} {group['period']}: {group['done']}/{group['total']}",
            highlight=False,
        )
    table = Table("id", "conversation", "agent", "rule", "due", "status")
    for item in view["assignments"]:
        status = "OVERDUE" if item["overdue"] else item["status"]
        if item["reason"]:
            status += f" ({item['reason']})"
        table.add_row(
            str(item["id"]),
            item["conversation"],
            item["agent"] or "—",
            item["rule"],
            (item["due_at"] or "")[:10],
            status,
        )
    _print_table(table)


@queue_app.command("replace")
@user_errors
def replace(
    assignment: Annotated[int, typer.Argument(help="The assignment id ('trainer queue list').")],
    reason: Annotated[str, typer.Option(help="Why this conversation cannot be reviewed.")],
) -> None:
    """Replace an item of your queue with another of the same agent's conversations."""
    from trainer.db.session import session_scope
    from trainer.services.assignments import replace_assignment

    with session_scope() as session:
        result = replace_assignment(session, acting_actor(session), assignment, reason)
    new = result["replacement"]
    out.print(
        f"assignment {assignment} replaced by {new['id']}: {new['conversation']} "
        f"(agent {new['agent']}, seed {new['seed']})",
        highlight=False,
    )
