"""The web app in a real browser: list and filters, review with evidence highlighting, scorecard."""

from __future__ import annotations

import re

import pytest

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.views import conversation_view, list_conversations, scorecard

from .conftest import AGENTS, CHANNELS, IDS, NEWEST_FIRST, login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

ROW = "[data-testid=conversation-row]"
ADMIN = Actor.local_admin()


@pytest.fixture
def page(page):
    """The test's page, signed in as an admin (who sees every conversation)."""
    login(page, "admin")
    return page


def rows_of(page) -> list[str]:
    return page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.conversation)")


def test_web_pages_list_shows_seeded_conversations_and_agent_filter_narrows(page, shot):
    page.goto("/conversations")
    expect(page.locator(ROW)).to_have_count(len(IDS))
    assert rows_of(page) == NEWEST_FIRST
    expect(page.get_by_test_id("conversation-count")).to_have_text(str(len(IDS)))
    expect(page.get_by_test_id("page-number")).to_have_text("1")
    expect(page.get_by_test_id("page-next")).to_be_disabled()
    first = page.locator(ROW).first
    expect(first.get_by_test_id("agent")).to_have_text(AGENTS[NEWEST_FIRST[0]])
    expect(first.get_by_test_id("score")).to_have_text(re.compile(r"^\d+$"))
    shot(page, "conversations")

    page.get_by_test_id("filter-agent").click()
    page.get_by_role("option", name="Sam Lee").click()
    sams = [i for i in NEWEST_FIRST if AGENTS[i] == "Sam Lee"]
    expect(page.locator(ROW)).to_have_count(len(sams))
    assert rows_of(page) == sams
    expect(page.get_by_test_id("conversation-count")).to_have_text(str(len(sams)))
    shot(page, "conversations-filtered")

    # A review and back keeps the filter.
    page.locator(ROW).first.get_by_test_id("open").click()
    expect(page.get_by_test_id("review-id")).to_have_text(sams[0])
    page.get_by_label("Back to conversations").click()
    expect(page).to_have_url(re.compile(r"/conversations/?$"))
    expect(page.locator(ROW)).to_have_count(len(sams))

    page.get_by_test_id("filter-channel").click()
    page.get_by_role("option", name="call").click()
    sam_calls = [i for i in sams if CHANNELS[i] == "call"]
    expect(page.locator(ROW)).to_have_count(len(sam_calls))
    assert rows_of(page) == sam_calls == ["b-3"]

    page.get_by_test_id("filter-clear").click()
    expect(page.locator(ROW)).to_have_count(len(IDS))


def test_web_pages_score_range_narrows_the_list(page, browser_db_url):
    with session_scope(browser_db_url) as session:
        rows = list_conversations(session, ADMIN)
    scores = {r["conversation"]: r["score"] for r in rows if r["score"] is not None}
    low = min(scores, key=scores.get)
    page.goto("/conversations")
    expect(page.locator(ROW)).to_have_count(len(IDS))
    page.get_by_test_id("filter-max-score").fill(f"{scores[low] + 0.5:.1f}")
    expect(page.locator(ROW)).to_have_count(
        sum(1 for v in scores.values() if v <= scores[low] + 0.5)
    )
    assert low in rows_of(page)


def test_web_pages_review_shows_turns_and_criteria(page, browser_db_url, shot):
    with session_scope(browser_db_url) as session:
        view = conversation_view(session, ADMIN, "b-3")
    page.goto("/conversations")
    page.locator(f"{ROW}[data-conversation=b-3]").get_by_test_id("open").click()
    expect(page).to_have_url(re.compile(r"/conversations/b-3/?$"))
    expect(page.get_by_test_id("review-id")).to_have_text("b-3")
    expect(page.get_by_test_id("review-agent")).to_have_text("Sam Lee")
    expect(page.get_by_test_id("review-customer")).to_have_text("Helen Morris")
    expect(page.get_by_test_id("review-channel")).to_have_text("call")
    expect(page.get_by_test_id("review-rubric")).to_have_text(view["rubric"])
    expect(page.get_by_test_id("review-score")).to_have_text(f"{view['score']:.0f}")
    turns = page.get_by_test_id("turn")
    expect(turns).to_have_count(len(view["turns"]))
    speakers = turns.evaluate_all("ts => ts.map(t => t.dataset.speaker)")
    assert speakers == [t["speaker"] for t in view["turns"]]
    expect(turns.nth(0).get_by_test_id("turn-text")).to_have_text(view["turns"][0]["text"])
    expect(turns.nth(1).get_by_test_id("turn-number")).to_have_text("#2")
    expect(page.get_by_test_id("criterion")).to_have_count(len(view["criteria"]))
    expect(page.get_by_test_id("section-badge")).to_have_count(len(view["sections"]))
    for criterion in view["criteria"]:
        card = page.locator(f"[data-testid=criterion][data-criterion='{criterion['id']}']")
        expect(card.get_by_test_id("criterion-title")).to_have_text(criterion["title"])
        if criterion["na"]:
            expect(card.get_by_test_id("criterion-score")).to_have_text("N/A")
    shot(page, "review")


def test_web_pages_clicking_a_criterion_highlights_its_evidence(page, browser_db_url, shot):
    with session_scope(browser_db_url) as session:
        view = conversation_view(session, ADMIN, "b-1")
    criterion = max(view["criteria"], key=lambda c: len(c["evidence"]))
    assert criterion["evidence"], "the seeded conversation should have scored evidence"
    evidence = sorted(criterion["evidence"], key=lambda e: (e["turn"], e["start"]))
    expected = [view["turns"][e["turn"]]["text"][e["start"] : e["end"]] for e in evidence]

    page.goto("/conversations/b-1")
    expect(page.get_by_test_id("turn")).to_have_count(len(view["turns"]))
    expect(page.get_by_test_id("evidence")).to_have_count(0)
    card = page.locator(f"[data-testid=criterion][data-criterion='{criterion['id']}']")
    card.click()
    marks = page.get_by_test_id("evidence")
    expect(marks).to_have_count(len(expected))
    assert marks.all_inner_texts() == expected
    expect(card).to_have_attribute("data-selected", "true")
    first_turn = page.locator(f"#turn-{evidence[0]['turn']}")
    expect(first_turn).to_have_attribute("data-highlighted", "true")
    expect(first_turn.get_by_test_id("evidence").first).to_have_text(expected[0])
    expect(first_turn).to_be_in_viewport()
    # The marked text sits inside the turn's own text, at the evidence offsets.
    expect(first_turn.get_by_test_id("turn-text")).to_have_text(
        view["turns"][evidence[0]["turn"]]["text"]
    )
    expect(page.get_by_test_id("selected-criterion")).to_contain_text(criterion["title"])
    shot(page, "review-evidence")

    card.click()
    expect(page.get_by_test_id("evidence")).to_have_count(0)
    expect(card).to_have_attribute("data-selected", "false")


def test_web_pages_unknown_conversation_says_not_found(page, shot):
    page.goto("/conversations/no-such-id")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_test_id("not-found")).to_contain_text("no-such-id")
    expect(page.get_by_test_id("turn")).to_have_count(0)
    shot(page, "review-not-found")


def test_web_pages_scorecard_lists_agents_and_drills_into_one(page, browser_db_url, shot):
    with session_scope(browser_db_url) as session:
        card = scorecard(session, ADMIN)  # all time: the seeded conversations are from March
    sections = [k for k in card[0] if k not in ("agent", "conversations", "score")]
    page.goto("/scorecard?since=2026-03-01&until=2026-03-31")
    rows = page.locator("[data-testid=scorecard-row][data-kind=agent]")
    expect(rows).to_have_count(len(card))
    for expected in card:
        row = page.locator(
            f"[data-testid=scorecard-row][data-kind=agent][data-agent='{expected['agent']}']"
        )
        expect(row.get_by_test_id("conversations")).to_have_text(str(expected["conversations"]))
        expect(row.get_by_test_id("overall")).to_have_text(f"{expected['score']:.0f}")
        for section in sections:
            cell = row.locator(f"[data-testid=section-score][data-section={section}]")
            value = expected[section]
            expect(cell).to_contain_text("—" if value is None else f"{value:.0f}n=")
    shot(page, "scorecard")

    page.locator("[data-testid=scorecard-row][data-agent='Sam Lee']").get_by_test_id(
        "agent-link"
    ).click()
    expect(page.get_by_test_id("criterion-row").first).to_be_visible()
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("Sam Lee")
