"""`trainer report fcr` (first-contact resolution from repeat contacts), `trainer report
promises` (follow-up promises: open, kept, broken) and `trainer report transfers` (transfers
followed up, or repeated, across contacts), under the scorecards' `report` group."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import _print_table, acting_actor, err, out, user_errors
from trainer.cli.report import report_app
from trainer.errors import ReportError


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class By(StrEnum):
    both = "both"
    agent = "agent"
    team = "team"


def _day(value: str | None, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(f"{value!r} is not a date", where=where, fix="write YYYY-MM-DD") from None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@report_app.command("fcr")
@user_errors
def report_fcr(
    days: Annotated[
        int | None,
        typer.Option(help="Repeat window in days (default $TRAINER_FCR_DAYS, else 7)."),
    ] = None,
    by: Annotated[By, typer.Option(help="Rows per agent, per team, or both.")] = By.both,
    since: Annotated[str | None, typer.Option(help="First contacts from this day.")] = None,
    until: Annotated[str | None, typer.Option(help="First contacts up to this day.")] = None,
    format: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """First-contact resolution per agent and team: a contact is resolved when the same
    customer does not come back within the window about the same reason; contacts whose window
    has not closed are left out. JSON: rows with agent, team, conversations,
    resolved_first_contact, fcr (0-1) and repeats (pairs of conversation ids)."""
    from trainer.db.session import session_scope
    from trainer.services.fcr import fcr_days, fcr_report

    groups = ("agent", "team") if by is By.both else (by.value,)
    with session_scope() as session:
        rows = fcr_report(
            session,
            acting_actor(session),
            days=days,
            by=groups,
            since=_day(since, "--since"),
            until=_day(until, "--until"),
        )
    if format is TableOrJson.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        err.print("no contacts whose repeat window has closed", highlight=False)
        return
    table = Table("agent", "team", "contacts", "resolved", "FCR", "repeats (contact → next)")
    for row in rows:
        pairs = ", ".join(f"{a} → {b or '(not visible)'}" for a, b in row["repeats"][:5])
        more = len(row["repeats"]) - 5
        table.add_row(
            row["agent"] or "(team)",
            row["team"] or "—",
            str(row["conversations"]),
            str(row["resolved_first_contact"]),
            _pct(row["fcr"]),
            pairs + (f" … +{more}" if more > 0 else ""),
        )
    _print_table(table)
    out.print(f"window: {fcr_days(days)} days", highlight=False)


@report_app.command("promises")
@user_errors
def report_promises(
    agent: Annotated[str | None, typer.Option(help="One agent's promises (name).")] = None,
    refresh: Annotated[
        bool,
        typer.Option(help="Extract promises again from the conversations you may see first."),
    ] = False,
    format: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Follow-up promises agents made with a time frame, per agent: open (not yet due), kept (a
    later contact with the customer by the due date) and broken (due date passed without one).
    Promises are stored when conversations are scored; --refresh re-extracts them."""
    from trainer.db.session import session_scope
    from trainer.services.promises import promise_report, refresh_promises

    with session_scope() as session:
        actor = acting_actor(session)
        if refresh:
            refresh_promises(session, actor)
        report = promise_report(session, actor, agent=agent)
    if format is TableOrJson.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if not report["promises"]:
        err.print("no follow-up promises found", highlight=False)
        return
    summary = Table("agent", "promises", "open", "kept", "broken", "kept rate")
    for row in report["agents"]:
        summary.add_row(
            row["agent"], str(row["promises"]), str(row["open"]), str(row["kept"]),
            str(row["broken"]), _pct(row["kept_rate"]),
        )  # fmt: skip
    _print_table(summary)
    detail = Table("status", "agent", "conversation", "due", "promise")
    for p in report["promises"]:
        due = p["due_at"][:16].replace("T", " ") if p["due_at"] else "—"
        detail.add_row(p["status"], p["agent"] or "?", p["conversation"], due, p["text"])
    _print_table(detail)


@report_app.command("transfers")
@user_errors
def report_transfers(
    days: Annotated[
        int | None,
        typer.Option(help="How long after a transfer to look (default $TRAINER_FCR_DAYS, else 7)."),
    ] = None,
    format: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Transferred contacts across the customer's contacts, per transferring agent: how many
    the agent followed up themselves (a later contact with the customer within the window), how
    many customers were transferred again, and how many are still pending. JSON: days, rows and
    contacts (conversation, agent, started_at, followed_up, transferred_again, pending)."""
    from trainer.db.session import session_scope
    from trainer.services.transfers import transfer_report

    with session_scope() as session:
        report = transfer_report(session, acting_actor(session), days=days)
    if format is TableOrJson.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if not report["contacts"]:
        err.print("no transferred contacts found (score conversations first)", highlight=False)
        return
    summary = Table("agent", "team", "transfers", "followed up", "transferred again", "pending")
    for row in report["rows"]:
        summary.add_row(
            row["agent"], row["team"] or "—", str(row["transfers"]),
            f"{row['followed_up']} ({_pct(row['follow_up_rate'])})",
            str(row["transferred_again"]), str(row["pending"]),
        )  # fmt: skip
    _print_table(summary)
    detail = Table("conversation", "agent", "started", "followed up in", "transferred again in")
    for c in report["contacts"]:
        detail.add_row(
            c["conversation"], c["agent"] or "?", c["started_at"][:16].replace("T", " "),
            c["followed_up"] or ("(pending)" if c["pending"] else "—"),
            c["transferred_again"] or "—",
        )  # fmt: skip
    _print_table(detail)
    out.print(f"window: {report['days']} days", highlight=False)
