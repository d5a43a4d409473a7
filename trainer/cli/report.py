"""`trainer report`: team and agent scorecards over a date range (default the last 30 days),
and `trainer report export` of one agent's scorecard as PDF, Excel or CSV.

`report_app` is a group: without a subcommand it prints the scorecard; other modules add their
own reports to it (`@report_app.command("fcr")`)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import ReportFormat, _print_table, acting_actor, app, out, user_errors

report_app = typer.Typer(
    help="Scorecards per agent or team over a date range (default: the last 30 days).",
    invoke_without_command=True,
)
app.add_typer(report_app, name="report")


class By(StrEnum):
    agent = "agent"
    team = "team"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class ExportFormat(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"
    csv = "csv"


Since = Annotated[
    str | None, typer.Option("--since", help="First day (YYYY-MM-DD); default 30 days back.")
]
Until = Annotated[str | None, typer.Option("--until", help="Last day (YYYY-MM-DD); default today.")]


def _interval(row: dict) -> str:
    if row.get("low") is None:
        return "—"
    text = f"{row['low']:.0f}–{row['high']:.0f}"
    return text + " ?" if row.get("uncertain") else text


def _cell(value) -> str:
    return "—" if value is None else (f"{value:.0f}" if isinstance(value, float) else str(value))


def _print(report: dict, by: str) -> None:
    rows = report["agents" if by == "agent" else "teams"]
    if not rows:
        out.print(
            f"no scored conversations from {report['since']} to {report['until']} "
            "(widen --since/--until, or run 'trainer demo')",
            highlight=False,
        )
        return
    sections = report["sections"]
    extra = report["extra_columns"]  # e.g. FCR from repeat contacts
    table = Table(
        by,
        "conversations",
        "reviewed",
        "score",
        "95%",
        *[s["title"] for s in sections],
        *[c["title"] for c in extra],
    )
    table.title = f"{report['since']} – {report['until']}"
    table.columns[0].no_wrap = True  # a name broken over two lines reads as two agents
    for row in rows:
        table.add_row(
            row[by],
            str(row["conversations"]),
            str(row["reviewed"]),
            _cell(row["score"]),
            _interval(row),
            *[f"{_cell(s['score'])} (n={s['n']})" for s in row["sections"]],
            *[_cell(row["extra"].get(c["key"], {}).get("value")) for c in extra],
        )
    _print_table(table)
    out.print("? marks a figure with few conversations behind it (wide interval).", style="dim")


@report_app.callback()
@user_errors
def report(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help="One row per agent or per team.")] = By.agent,
    since: Since = None,
    until: Until = None,
    period: Annotated[
        Period | None,
        typer.Option("--period", help="One row per agent or team and period (the trend)."),
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """Scorecards from final scores (a submitted review, else the automatic score), role-play
    practice apart: one row per agent or team with its score, 95% interval, and each section
    and criterion with n (CSV and JSON); with --period, one row per agent or team and period
    (`period` is the period's first day) with conversations and mean score."""
    if ctx.invoked_subcommand is not None:
        return
    from trainer.db.session import session_scope
    from trainer.services.scorecards import flat_rows, make_report_filter, scorecard_report

    with session_scope() as session:
        filters = make_report_filter(
            since=since, until=until, period=(period or Period.week).value, team=team
        )
        report = scorecard_report(session, acting_actor(session), filters, practice=False)
    columns, rows = flat_rows(report, by.value) if period is None else trend_rows(report, by.value)
    if format is ReportFormat.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif format is ReportFormat.csv:
        from trainer.services.exports import table_csv

        sys.stdout.write(table_csv(columns, rows).decode("utf-8"))
    elif period is None:
        _print(report, by.value)
    else:
        _print_trend(report, columns, rows)


def trend_rows(report: dict, by: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """The report's trend as a table: one row per agent or team and period."""
    columns = [(by, by.title()), ("period", "Period"), ("conversations", "n"), ("score", "Score")]
    rows = [
        {by: t["group"], "period": t["period"], "conversations": t["n"], "score": t["score"]}
        for t in report["trends"]
        if t["level"] == by
    ]
    return columns, rows


def _print_trend(report: dict, columns, rows: list[dict]) -> None:
    if not rows:
        out.print(f"no scored conversations from {report['since']} to {report['until']}")
        return
    table = Table(*[key for key, _ in columns], title=f"{report['since']} – {report['until']}")
    for row in rows:
        table.add_row(*[_cell(row[key]) for key, _ in columns])
    _print_table(table)


@report_app.command("export")
@user_errors
def export(
    agent: Annotated[str, typer.Option("--agent", help="The agent's name.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.pdf,
    since: Since = None,
    until: Until = None,
) -> None:
    """One agent's scorecard as a PDF (trend chart, sections, strengths and misses, coaching
    actions), or its section and criterion table as Excel or CSV."""
    from trainer.db.session import session_scope
    from trainer.services.exports import export_agent
    from trainer.services.scorecards import make_report_filter

    with session_scope() as session:
        filters = make_report_filter(since=since, until=until)
        data = export_agent(session, acting_actor(session), agent, filters, format.value)
    out_file.write_bytes(data)
    out.print(f"wrote {out_file} ({len(data)} bytes)", highlight=False)
