"""The scorecard page in a real browser: a lead narrows to their team over the last week, sees
the weekly trend, and drills down team → agent → criterion → the conversation's review."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from trainer.conversation import Conversation, Turn
from trainer.db.models import ConversationRecord
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.scoring import score_stored

from ..conftest import GOOD_CHAT, POOR_CHAT
from .conftest import login

# Conversations of the last days (the shared seed is from March 2026): (id, turns, agent, days ago)
RECENT = [
    ("sc-1", GOOD_CHAT, "Sam Lee", 2),
    ("sc-2", POOR_CHAT, "Sam Lee", 3),
    ("sc-3", GOOD_CHAT, "Marcus Bell", 2),  # Tier 1 South: not the lead's
]


@pytest.fixture
def recent(browser_db_url):
    """The RECENT conversations, scored; removed afterwards so other tests see the seed only."""
    now = datetime.now(UTC).replace(microsecond=0)
    with session_scope(browser_db_url) as session:
        for external_id, turns, agent, days in RECENT:
            store_conversation(
                session,
                Conversation(
                    external_id=external_id,
                    turns=[Turn(s, t) for s, t in turns],  # type: ignore[arg-type]
                    agent=agent,
                    customer="Dana Ruiz",
                    started_at=now - timedelta(days=days),
                ),
            )
        score_stored(session, [r[0] for r in RECENT])
    yield [r[0] for r in RECENT]
    with session_scope(browser_db_url) as session:
        ids = [r[0] for r in RECENT]
        for record in session.scalars(
            select(ConversationRecord).where(ConversationRecord.external_id.in_(ids))
        ):
            session.delete(record)


def test_web_scorecards_lead_filters_last_week_drills_to_a_conversation_and_coaches(
    page, recent, shot
):
    login(page, "lead", next_path="/scorecard")
    expect(page.get_by_test_id("scorecard-page")).to_be_visible()
    page.get_by_test_id("last-7").click()
    page.get_by_test_id("team-select").click()
    page.get_by_role("option", name="Tier 1 North").click()
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("Tier 1 North")
    agents = page.locator("[data-testid=scorecard-row][data-kind=agent]")
    expect(agents).to_have_count(1)
    sam = page.locator("[data-testid=scorecard-row][data-kind=agent][data-agent='Sam Lee']")
    expect(sam.get_by_test_id("conversations")).to_have_text("2")
    expect(sam).to_have_attribute("data-uncertain", "true")  # two conversations: uncertain
    expect(sam.get_by_test_id("interval")).to_contain_text("–")
    chart = page.get_by_test_id("trend-chart")
    # A dot per week with data: two or three days ago are one week or two by the weekday the
    # suite runs on, and a one-week line has no stroke to see (its dot is what shows).
    expect(chart.locator(".recharts-line-dot").first).to_be_visible()
    expect(page.get_by_test_id("distribution-chart").locator(".recharts-bar")).to_be_visible()
    shot(page, "scorecard-lead-last-week")

    sam.get_by_test_id("agent-link").click()
    criterion = page.locator("[data-testid=criterion-row][data-criterion=acknowledges-feelings]")
    expect(criterion.get_by_test_id("criterion-n")).to_have_text("2")
    criterion.get_by_test_id("criterion-link").click()
    drilled = page.get_by_test_id("drill-row")
    expect(drilled).to_have_count(2)
    expect(page.locator("[data-testid=drill-row][data-conversation=sc-1]")).to_be_visible()
    expect(page.get_by_test_id("evidence").first).to_be_visible()
    shot(page, "scorecard-drill-down")
    page.locator("[data-testid=drill-row][data-conversation=sc-1]").get_by_test_id(
        "conversation-link"
    ).click()
    expect(page).to_have_url(re.compile(r"/conversations/sc-1/?$"))
    expect(page.get_by_test_id("turn").first).to_be_visible()

    # From the conversation, the lead opens a coaching session for Sam and assigns a scenario
    # that practises the criterion.
    page.get_by_test_id("coach-this-agent").click()
    page.wait_for_url(re.compile(r"/coaching\?new=1"))
    expect(page.get_by_test_id("coaching-agent")).to_have_value("Sam Lee")
    expect(page.get_by_test_id("coaching-conversations")).to_have_value("sc-1")
    page.get_by_test_id("coaching-title").fill("Acknowledge the feeling first")
    page.get_by_test_id("coaching-criterion").select_option("acknowledges-feelings")
    page.get_by_test_id("coaching-scenario").select_option("double-charge")
    page.get_by_test_id("coaching-open").click()
    page.wait_for_url(re.compile(r"/coaching/\d+$"))
    expect(page.get_by_test_id("coaching-session-title")).to_have_text(
        "Acknowledge the feeling first"
    )
    expect(page.get_by_test_id("coaching-practice-link")).to_have_attribute(
        "href", "/practice/double-charge"
    )
    shot(page, "scorecard-to-coaching")
