"""Scorecards as files: CSV and Excel (openpyxl) of any scorecard table, and a PDF scorecard
per agent (fpdf2): the weekly trend drawn as a line chart, the sections with n and interval,
strengths and misses, and the coaching actions of the agent's coaching sessions.

Every export goes through `trainer.services.scorecards`, so the same policy narrows it."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, can
from trainer.access.policy import Subject
from trainer.db.models import CoachingAction, CoachingSession, User
from trainer.errors import ReportError
from trainer.services.cells import safe_row
from trainer.services.pdf_scorecard import agent_pdf_bytes
from trainer.services.scorecard_data import ScorecardFilter
from trainer.services.scorecards import agent_scorecard, flat_rows, scorecard_report

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
Columns = list[tuple[str, str]]


def table_csv(columns: Columns, rows: list[dict]) -> bytes:
    """A table as UTF-8 CSV, one header row of column keys (what scripts read back); cells
    that would run as formulas are neutralised (`trainer.services.cells`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(key for key, _ in columns))
    for row in rows:
        writer.writerow(
            safe_row("" if row.get(key) is None else row.get(key) for key, _ in columns)
        )
    return buffer.getvalue().encode("utf-8")


def table_xlsx(columns: Columns, rows: list[dict], title: str = "Scorecard") -> bytes:
    """A table as an Excel workbook: titled header row (bold, frozen), one row per line; cells
    that would run as formulas are neutralised (`trainer.services.cells`)."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    sheet.append(safe_row(label if label != "n" else f"{key} n" for key, label in _labels(columns)))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for row in rows:
        sheet.append(safe_row(row.get(key) for key, _ in columns))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: none of []:*?/\\, no apostrophe at either end, at
    most 31 characters (an agent's name may hold any of them)."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip(" '")[:31]
    return cleaned.strip(" '") or "Scorecard"


def _labels(columns: Columns) -> Columns:
    """Headers for people: an "n" column is named after the figure it counts."""
    labelled, previous = [], ""
    for key, label in columns:
        labelled.append((previous, label) if label == "n" else (key, label))
        previous = label if label != "n" else previous
    return labelled


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """The format, lower-cased, if it is one of `allowed`; ReportError naming them otherwise."""
    fmt = (fmt or "").strip().lower()
    if fmt not in allowed:
        raise ReportError(
            f"unknown export format {fmt!r}", where="format", fix=f"use {' or '.join(allowed)}"
        )
    return fmt


def export_scorecard(
    session: Session, actor: Actor, filters: ScorecardFilter, by: str, fmt: str
) -> bytes:
    """The agent or team scorecard table the actor may see, as CSV or Excel."""
    fmt = check_format(fmt, ("csv", "xlsx"))
    report = scorecard_report(session, actor, filters, practice=False)
    columns, rows = flat_rows(report, by)
    if fmt == "csv":
        return table_csv(columns, rows)
    return table_xlsx(columns, rows, f"{by.title()} scorecard")


def agent_table(card: dict) -> tuple[Columns, list[dict]]:
    """One agent's scorecard as a table: a row per section and per criterion, rubric order."""
    columns = [
        ("section", "Section"),
        ("criterion", "Criterion"),
        ("score", "Score"),
        ("n", "Conversations"),
    ]
    rows: list[dict] = []
    row = card.get("row")
    if row is None:
        return columns, rows
    rows.append(
        {"section": "Overall", "criterion": "", "score": row["score"], "n": row["conversations"]}
    )
    for section in row["sections"]:
        rows.append(
            {
                "section": section["title"],
                "criterion": "",
                "score": section["score"],
                "n": section["n"],
            }
        )
        for criterion in row["criteria"]:
            if criterion["section"] == section["id"]:
                rows.append(
                    {
                        "section": section["title"],
                        "criterion": criterion["title"],
                        "score": criterion["score"],
                        "n": criterion["n"],
                    }
                )
    return columns, rows


def coaching_actions(session: Session, actor: Actor, agent: str) -> list[dict]:
    """The action items of the agent's coaching sessions (what the agent may see: never the
    private notes), open ones first, read-only; none where the actor may not see the agent's
    coaching (Action.COACHING)."""
    user = session.scalar(select(User).where(User.name == agent))
    subject = (
        Subject(f"agent {agent!r}", owner_id=user.id, owner_team_ids=user.team_ids)
        if user
        else None
    )
    if subject is None or not can(actor, Action.COACHING, subject):
        return []
    rows = session.execute(
        select(CoachingAction, CoachingSession.title)
        .join(CoachingSession, CoachingSession.id == CoachingAction.session_id)
        .join(User, User.id == CoachingSession.agent_id)
        .where(User.name == agent)
        .order_by(CoachingAction.done_at.is_not(None), CoachingAction.due_on, CoachingAction.id)
    ).all()
    return [
        {
            "text": action.text,
            "session": title,
            "due_on": action.due_on.isoformat() if isinstance(action.due_on, date) else None,
            "done": action.done_at is not None,
        }
        for action, title in rows
    ]


def export_agent(
    session: Session, actor: Actor, agent: str, filters: ScorecardFilter, fmt: str
) -> bytes:
    """One agent's scorecard as a PDF (trend chart, sections, strengths and misses, coaching
    actions), or its section and criterion table as CSV or Excel."""
    fmt = check_format(fmt, ("pdf", "xlsx", "csv"))
    card = agent_scorecard(session, actor, agent, filters)
    if fmt == "pdf":
        return agent_pdf_bytes(card, coaching_actions(session, actor, agent))
    columns, rows = agent_table(card)
    if fmt == "csv":
        return table_csv(columns, rows)
    return table_xlsx(columns, rows, agent)


def file_name(stem: str, fmt: str) -> str:
    """A safe download name: letters, digits, dashes."""
    safe = "".join(ch if ch.isalnum() else "-" for ch in stem.lower()).strip("-") or "scorecard"
    return f"{safe}.{fmt}"
