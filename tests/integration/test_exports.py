"""Scorecard exports: CSV and Excel read back to the same figures, and a PDF per agent with its
trend chart, sections, strengths and misses and coaching actions (only for who may see them)."""

from __future__ import annotations

import csv
import io
import zlib
from datetime import date

import pytest
from openpyxl import load_workbook

from trainer.access import Actor
from trainer.db.models import CoachingAction, CoachingSession
from trainer.db.session import session_scope
from trainer.errors import NotFoundError, ReportError
from trainer.services.exports import coaching_actions, export_agent, export_scorecard
from trainer.services.scorecard_data import make_filter
from trainer.services.scorecards import scorecard_report

from ..conftest import actor_of
from .test_scorecards import world  # noqa: F401 - the seeded scorecard world

ADMIN = Actor.local_admin()


def _coach(session) -> None:
    sam, morgan = actor_of(session, "Sam Lee"), actor_of(session, "Morgan Reyes")
    coaching = CoachingSession(agent_id=sam.id, coach_id=morgan.id, title="Empathy first")
    coaching.actions = [
        CoachingAction(text="Name the feeling before the fix", due_on=date(2026, 12, 24)),
    ]
    session.add(coaching)


def test_exports_csv_and_xlsx_read_back_to_the_report(world):  # noqa: F811
    with session_scope() as session:
        filters = make_filter()
        report = scorecard_report(session, ADMIN, filters)
        data = export_scorecard(session, ADMIN, filters, "agent", "csv")
        book = export_scorecard(session, ADMIN, filters, "team", "xlsx")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    expected = {r["agent"]: r for r in report["agents"]}
    assert {r["agent"] for r in rows} == set(expected)
    for row in rows:
        assert float(row["score"]) == expected[row["agent"]]["score"]
        assert int(row["empathy_n"]) == expected[row["agent"]]["sections"][0]["n"]
    sheet = load_workbook(io.BytesIO(book)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Team", "Conversations", "Reviewed")
    assert "Empathy" in values[0] and "Empathy n" in values[0]
    teams = {r["team"]: r for r in report["teams"]}
    assert {v[0] for v in values[1:]} == set(teams) == {"North", "South"}
    assert all(v[3] == teams[v[0]]["score"] for v in values[1:])


def _pdf_text(data: bytes) -> bytes:
    """The PDF's decompressed content streams (fpdf2 deflates them)."""
    chunks = []
    for part in data.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            chunks.append(zlib.decompress(body))
        except zlib.error:
            chunks.append(body)
    return b"\n".join(chunks)


def test_exports_agent_pdf_has_pages_chart_and_coaching_actions(world):  # noqa: F811
    with session_scope() as session:
        _coach(session)
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        pdf = export_agent(session, lead, "Sam Lee", make_filter(), "pdf")
        sheet = export_agent(session, lead, "Sam Lee", make_filter(), "xlsx")
        # a reviewer sees the scorecard, not the coaching
        assert coaching_actions(session, actor_of(session, "Rita Reviewer"), "Sam Lee") == []
        assert coaching_actions(session, lead, "Sam Lee")[0]["due_on"] == "2026-12-24"
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    text = _pdf_text(pdf)
    assert b"Scorecard: Sam Lee" in text and b"Name the feeling before the fix" in text
    assert b"Strengths" in text and b"Misses" in text and b"Empathy" in text
    assert text.count(b" l S") >= 6  # the chart: five grid lines and the trend line
    rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert rows[0] == ("Section", "Criterion", "Score", "Conversations")
    assert rows[1][0] == "Overall" and rows[1][3] == 2


def test_exports_refuse_what_the_actor_may_not_see_and_bad_formats(world):  # noqa: F811
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        with pytest.raises(NotFoundError):
            export_agent(session, lead, "Priya Shah", make_filter(), "pdf")
        with pytest.raises(ReportError, match="format"):
            export_scorecard(session, ADMIN, make_filter(), "agent", "docx")
        with pytest.raises(ReportError, match="format"):
            export_agent(session, ADMIN, "Sam Lee", make_filter(), "html")
