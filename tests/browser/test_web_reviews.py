"""A review's whole life in a real browser: a reviewer opens the conversation from their queue,
overrides two criteria with reasons (one by keyboard) and submits; the agent sees it and
disputes one criterion; another reviewer, finding the dispute under their queue, accepts it with
a new value; the final score follows, and the audit log shows every step."""

from __future__ import annotations

import re

import pytest

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.assignment_rules import RuleSpec, define_rule
from trainer.services.assignments import draw_due
from trainer.services.views import conversation_view

from .conftest import login, require_playwright, signed_in_as

expect = require_playwright()

pytestmark = pytest.mark.browser

ADMIN = Actor.local_admin()
ROW = "[data-testid=conversation-row]"
CONVERSATION = "b-4"  # Marcus Bell's good chat: no other browser test reviews it
AGENT, REVIEWER, RESOLVER = "Marcus Bell", "Jordan Kim", "Casey Wong"


def view_of(url: str) -> dict:
    with session_scope(url) as session:
        return conversation_view(session, ADMIN, CONVERSATION)


def other_level(criterion: dict) -> str:
    """The binary level the machine did not give."""
    return "0" if criterion["value"] == 1.0 else "1"


def card(tab, criterion_id: str):
    return tab.locator(f"[data-testid=criterion][data-criterion='{criterion_id}']")


def test_web_reviews_override_dispute_and_resolve(page, browser, app_url, browser_db_url, shot):
    before = view_of(browser_db_url)
    scored = [c for c in before["criteria"] if c["value"] in (0.0, 1.0) and not c["na"]]
    first, second = scored[0], scored[1]

    # 1. A rule gives the reviewer one conversation of Marcus a week; the reviewer opens it from
    #    the queue and overrides two criteria with reasons: the first by clicking, the second by
    #    keyboard.
    with session_scope(browser_db_url) as session:
        define_rule(
            session,
            ADMIN,
            RuleSpec(name="marcus weekly", reviewers=[REVIEWER], agents=[AGENT], per_agent=1),
        )
        assert draw_due(session, ADMIN)["assigned"] == 1
    with signed_in_as(browser, app_url, REVIEWER) as tab:
        tab.goto("/queue")
        row = tab.get_by_test_id(f"queue-row-{CONVERSATION}")
        expect(row).to_have_attribute("data-status", "open")
        expect(tab.get_by_test_id("queue-count")).to_contain_text("0 of 1 done")
        row.get_by_test_id("queue-link").click()
        expect(tab).to_have_url(re.compile(rf"/conversations/{CONVERSATION}/?$"))
        expect(tab.get_by_test_id("review-legend")).to_be_visible()
        expect(tab.get_by_test_id("final-score")).to_have_attribute("data-kind", "auto")
        level = f"review-level-{first['id']}-{other_level(first)}"
        tab.get_by_test_id(level).click()
        expect(tab.get_by_test_id(level)).to_have_attribute("data-picked", "true")
        tab.get_by_test_id(f"review-reason-{first['id']}").select_option("incorrect_score")
        tab.get_by_test_id(f"review-add-comment-{first['id']}").click()
        tab.get_by_test_id(f"review-comment-{first['id']}").fill("Checked the transcript")

        card(tab, second["id"]).get_by_test_id("criterion-title").click()
        expect(card(tab, second["id"])).to_have_attribute("data-current", "true")
        tab.keyboard.press("2" if other_level(second) == "1" else "1")
        expect(
            tab.get_by_test_id(f"review-level-{second['id']}-{other_level(second)}")
        ).to_have_attribute("data-picked", "true")
        tab.keyboard.press("j")  # the keyboard moves on
        expect(card(tab, second["id"])).to_have_attribute("data-current", "false")
        # Submitting without the second reason is refused beside the criterion.
        tab.get_by_test_id("review-submit").click()
        expect(tab.get_by_test_id(f"review-field-error-{second['id']}")).to_contain_text("reason")
        tab.get_by_test_id(f"review-reason-{second['id']}").select_option("missing_evidence")
        tab.get_by_test_id("review-comment").fill("Good chat, two misses by the machine")
        tab.get_by_test_id("review-submit").click()
        expect(tab.get_by_test_id("review-submitted")).to_be_visible()
        submitted = view_of(browser_db_url)
        assert submitted["final_kind"] == "human"
        expect(tab.get_by_test_id("final-score")).to_have_text(f"{submitted['final_score']:.0f}")
        expect(tab.get_by_test_id("final-score")).to_have_attribute("data-kind", "human")
        expect(tab.get_by_test_id("review-submit")).to_have_count(0)
        shot(tab, "review-submitted")
        tab.goto("/queue")  # the submitted review completed the queue item
        expect(tab.get_by_test_id("queue-count")).to_contain_text("1 of 1 done")
    review = submitted["reviews"][0]
    changed = {c["id"] for c in review["criteria"] if c["reason"]}
    assert changed == {first["id"], second["id"]}

    # 2. The agent sees the review and disputes the first criterion.
    with signed_in_as(browser, app_url, AGENT) as tab:
        tab.goto(f"/conversations/{CONVERSATION}")
        review_card = tab.locator(f"[data-testid=review-card][data-review='{review['id']}']")
        expect(review_card).to_be_visible()
        expect(review_card.locator("[data-testid=review-row][data-changed=true]")).to_have_count(2)
        expect(tab.get_by_test_id(f"review-level-{first['id']}-0")).to_have_count(0)  # no form
        tab.get_by_test_id(f"dispute-open-{review['id']}").click()
        box = tab.get_by_test_id(f"dispute-criterion-{review['id']}-{first['id']}")
        box.click()  # a controlled checkbox: checked once the server has it
        expect(box).to_be_checked()
        tab.get_by_test_id(f"dispute-comment-{review['id']}").fill("The machine was right here")
        tab.get_by_test_id(f"dispute-send-{review['id']}").click()
        expect(tab.get_by_test_id("dispute-notice")).to_be_visible()
        expect(review_card.locator("[data-testid=dispute][data-status=open]")).to_have_count(1)
        shot(tab, "review-disputed")
    dispute = view_of(browser_db_url)["reviews"][0]["disputes"][0]
    assert dispute["criteria"] == [first["id"]] and dispute["status"] == "open"

    # 3. Another reviewer accepts it, setting the machine's value back.
    with signed_in_as(browser, app_url, RESOLVER) as tab:
        tab.goto("/queue")  # disputes waiting for an answer are listed under the queue
        tab.get_by_test_id(f"dispute-row-{dispute['id']}").get_by_test_id("dispute-link").click()
        expect(tab).to_have_url(re.compile(rf"/conversations/{CONVERSATION}/?$"))
        tab.get_by_test_id(f"dispute-resolve-{dispute['id']}").click()
        tab.get_by_test_id(f"dispute-outcome-{dispute['id']}").select_option("accepted")
        back = "1" if first["value"] == 1.0 else "0"
        tab.get_by_test_id(f"dispute-value-{dispute['id']}-{first['id']}-{back}").click()
        tab.get_by_test_id(f"dispute-reason-{dispute['id']}").fill("Agreed: it was acknowledged")
        tab.get_by_test_id(f"dispute-send-resolution-{dispute['id']}").click()
        expect(tab.locator("[data-testid=dispute][data-status=accepted]")).to_have_count(1)
        after = view_of(browser_db_url)
        assert after["final_score"] != submitted["final_score"]
        expect(tab.get_by_test_id("final-score")).to_have_text(f"{after['final_score']:.0f}")
        expect(tab.get_by_test_id("dispute-change")).to_contain_text(first["title"])
        shot(tab, "review-dispute-accepted")

    # The agent sees the outcome too.
    with signed_in_as(browser, app_url, AGENT) as tab:
        tab.goto(f"/conversations/{CONVERSATION}")
        expect(tab.get_by_test_id("dispute-resolution")).to_contain_text(RESOLVER)
        expect(tab.get_by_test_id("final-score")).to_have_text(f"{after['final_score']:.0f}")

    # 4. The audit log shows each step.
    login(page, "admin", next_path="/admin/audit")
    for action in ("review.submit", "dispute.open", "dispute.resolve"):
        expect(
            page.locator(f"[data-testid=audit-row][data-action='{action}']").first
        ).to_be_visible()
