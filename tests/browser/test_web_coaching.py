"""Coaching in a real browser: the lead opens a coaching session for Sam from the review page of
Sam's conversation (the form comes filled with Sam and the conversation), assigns the
`double-charge` scenario, writes shared and private notes and adds an action item; then Sam signs
in, finds the session under Coaching, reads the shared notes but not the private one, follows the
link to practise the scenario, and ticks the action item done."""

from __future__ import annotations

import re

import pytest

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.coaching import session_view

from .conftest import require_playwright, signed_in_as

expect = require_playwright()

pytestmark = pytest.mark.browser

LEAD, AGENT = "Morgan Reyes", "Sam Lee"
CONVERSATION = "b-1"  # Sam's chat; Morgan leads Sam's team
TITLE = "Empathy before the fix"
SHARED = "Name the customer's feeling before you fix the charge."
PRIVATE = "PRIVATE-7781 seems stretched this month"
ACTION = "Practise the double-charge role-play twice"


def test_web_coaching_lead_opens_from_a_review_and_the_agent_practises(
    browser, app_url, browser_db_url, shot
):
    with signed_in_as(browser, app_url, LEAD, f"/conversations/{CONVERSATION}") as tab:
        expect(tab.get_by_test_id("review-page")).to_be_visible()
        expect(tab.get_by_test_id("nav-coaching")).to_be_visible()
        tab.get_by_test_id("coach-this-agent").click()
        tab.wait_for_url(re.compile(r"/coaching\?new=1"))
        form = tab.get_by_test_id("coaching-form")
        expect(form).to_be_visible()
        expect(tab.get_by_test_id("coaching-agent")).to_have_value(AGENT)
        expect(tab.get_by_test_id("coaching-conversations")).to_have_value(CONVERSATION)
        tab.get_by_test_id("coaching-title").fill(TITLE)
        tab.get_by_test_id("coaching-criterion").select_option("acknowledges-feelings")
        scenario = tab.get_by_test_id("coaching-scenario")
        scenario.select_option("double-charge")
        expect(scenario).to_have_value("double-charge")
        tab.get_by_test_id("coaching-shared-notes").fill(SHARED)
        tab.get_by_test_id("coaching-private-notes").fill(PRIVATE)
        tab.get_by_test_id("coaching-follow-up").fill("2026-04-01")
        shot(tab, "coaching-new-form")
        tab.get_by_test_id("coaching-open").click()
        tab.wait_for_url(re.compile(r"/coaching/\d+$"))
        session_id = int(tab.url.rsplit("/", 1)[1])
        expect(tab.get_by_test_id("coaching-session-title")).to_have_text(TITLE)
        # the coach sees and edits the private notes
        expect(tab.get_by_test_id("coaching-private-notes")).to_have_value(PRIVATE)
        tab.get_by_test_id("coaching-action-new").fill(ACTION)
        tab.get_by_test_id("coaching-action-due-new").fill("2026-03-20")
        tab.get_by_test_id("coaching-action-add").click()
        expect(tab.get_by_test_id("notice")).to_have_text("Action item added.")
        action = tab.get_by_test_id("coaching-action")
        expect(action).to_have_count(1)
        expect(action.get_by_test_id("coaching-action-text")).to_have_text(ACTION)
        expect(action.get_by_test_id("coaching-action-due")).to_have_text("due 2026-03-20")
        link = tab.get_by_test_id("coaching-practice-link")
        expect(link).to_have_attribute("href", "/practice/double-charge")
        linked = tab.locator(
            f"[data-testid=coaching-conversation][data-conversation={CONVERSATION}]"
        )
        expect(linked.get_by_test_id("coaching-conversation-link")).to_have_attribute(
            "href", f"/conversations/{CONVERSATION}"
        )
        expect(tab.locator("[data-testid=coaching-measure][data-label=Before]")).to_have_attribute(
            "data-n", re.compile(r"[1-9]\d*")
        )  # Sam's conversations before now
        shot(tab, "coaching-session-lead")
    with session_scope(browser_db_url) as session:
        stored = session_view(session, Actor.local_admin(), session_id)
    assert stored["agent"] == AGENT and stored["coach"] == LEAD
    assert stored["scenario"] == "double-charge" and stored["private_notes"] == PRIVATE
    assert stored["conversations"][0]["conversation"] == CONVERSATION
    assert [a["text"] for a in stored["action_items"]] == [ACTION]
    action_id = stored["action_items"][0]["id"]

    with signed_in_as(browser, app_url, AGENT) as tab:
        tab.get_by_test_id("nav-coaching").click()
        tab.wait_for_url(re.compile(r"/coaching$"))
        row = tab.locator(f"[data-testid=coaching-row][data-session='{session_id}']")
        expect(row).to_be_visible()
        expect(tab.get_by_test_id("coaching-new")).to_have_count(0)  # agents open none
        row.get_by_test_id("coaching-link").click()
        tab.wait_for_url(re.compile(rf"/coaching/{session_id}$"))
        expect(tab.get_by_test_id("coaching-shared-text")).to_have_text(SHARED)
        expect(tab.get_by_test_id("coaching-private-notes")).to_have_count(0)
        assert "PRIVATE-7781" not in tab.content()
        expect(tab.get_by_test_id("coaching-save")).to_have_count(0)
        link = tab.get_by_test_id("coaching-practice-link")
        expect(link).to_have_attribute("href", "/practice/double-charge")
        done = tab.locator(f"[data-testid=coaching-action][data-action='{action_id}']")
        done.get_by_test_id("coaching-action-done").click()
        expect(done).to_have_attribute("data-done", "true")
        shot(tab, "coaching-session-agent")
        link.click()
        tab.wait_for_url(re.compile(r"/practice/double-charge$"))
    with session_scope(browser_db_url) as session:
        stored = session_view(session, Actor.local_admin(), session_id)
    assert stored["action_items"][0]["done"]
