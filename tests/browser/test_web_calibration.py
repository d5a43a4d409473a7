"""Calibration in a real browser: a lead opens a session with two reviewers and themself as
the baseline; each reviewer scores blind (no automatic or other scores on the page while
scoring), submits and then sees the results; the lead's page shows both reviewers, the alpha
the service computes and each reviewer's alignment with the baseline."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from trainer.access import Actor
from trainer.db.models import User
from trainer.db.session import session_scope
from trainer.services.accounts import add_user
from trainer.services.calibration import calibration_results, save_calibration_score

from .conftest import PASSWORD, email, login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

LEAD, FIRST, SECOND = "Morgan Reyes", "Jordan Kim", "Casey Wong"
CONVERSATION = "b-1"  # Sam's chat: Sam is in the team Morgan leads
# The baseline (Morgan) and the two reviewers' values; Jordan agrees with the baseline on
# every criterion, Casey only on no-jargon.
BASELINE = {"acknowledges-feelings": 1, "apologises": 1, "readable": 1, "no-jargon": 0}
FIRST_SCORES = dict(BASELINE)
SECOND_SCORES = dict.fromkeys(BASELINE, 0)
SECRET = "baseline-only-note"


def _second_reviewer(url: str) -> None:
    """A second reviewer (seeded by the conftest now; added here if it is not)."""
    with session_scope(url) as session:
        if session.scalar(select(User).where(User.name == SECOND)) is None:
            add_user(session, Actor.local_admin(), SECOND, email(SECOND), "reviewer", [], PASSWORD)


def _context(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=app_url)
    context.set_default_timeout(20_000)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, tab, errors


def _score_blind(tab, sid: int, who: str, scores: dict[str, int]) -> None:
    """Sign in as `who`, check that nothing scored shows, score and submit."""
    login(tab, who, next_path=f"/calibration/{sid}")
    expect(tab.get_by_test_id("calibration-session-page")).to_be_visible()
    card = tab.locator(f"[data-testid=calib-conversation][data-conversation={CONVERSATION}]")
    expect(card.get_by_test_id("calib-blind")).to_be_visible()
    expect(card.get_by_test_id("turn").first).to_be_visible()
    # blind: no results, no automatic values, no one else's values or comments
    for hidden in ("calib-results", "calib-summary", "calib-automatic", "calib-value"):
        expect(tab.get_by_test_id(hidden)).to_have_count(0)
    assert SECRET not in tab.content()
    expect(card.get_by_test_id("calib-criterion").first).to_be_visible()
    for criterion, value in scores.items():
        button = card.get_by_test_id(f"calib-score-{criterion}-{value}")
        button.click()
        expect(button).to_have_attribute("data-chosen", "true")
    card.get_by_test_id("calib-submit").click()
    expect(tab.get_by_test_id("notice")).to_contain_text("submitted")
    expect(card.get_by_test_id("calib-status")).to_have_text("Submitted")
    results = card.get_by_test_id("calib-results")
    expect(results).to_be_visible()
    mine = results.locator(
        f"[data-testid=calib-row][data-criterion=apologises] "
        f"[data-testid=calib-value][data-reviewer='{who}']"
    )
    expect(mine).to_contain_text(str(scores["apologises"]))
    expect(tab.get_by_test_id(f"calib-alignment-{who}")).to_be_visible()


def test_web_calibration_blind_scoring_alpha_and_alignment(
    page, browser, app_url, browser_db_url, shot
):
    _second_reviewer(browser_db_url)

    # The lead opens the session on the page: title, conversation, two reviewers, baseline.
    login(page, "lead", next_path="/calibration")
    expect(page.get_by_test_id("calibration-page")).to_be_visible()
    expect(page.get_by_test_id("nav-calibration")).to_be_visible()
    page.get_by_test_id("calib-title").fill("Empathy calibration")
    page.get_by_test_id("calib-conversations").fill(CONVERSATION)
    for name in (FIRST, SECOND):
        page.locator(f"[data-testid=calib-invite][data-person='{name}']").click()
    page.get_by_test_id("calib-baseline").click()
    page.get_by_role("option", name=LEAD).click()
    page.get_by_test_id("calib-open").click()
    page.wait_for_url(re.compile(r"/calibration/\d+$"))
    sid = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(page.get_by_test_id("calib-title")).to_have_text("Empathy calibration")
    # the lead is the baseline: their scores go in through the service
    with session_scope(browser_db_url) as session:
        lead = Actor.of(session.scalar(select(User).where(User.name == LEAD)))
        judgements = {c: {"value": v, "comment": SECRET} for c, v in BASELINE.items()}
        save_calibration_score(session, lead, sid, CONVERSATION, judgements, submit=True)

    for who, scores in ((FIRST, FIRST_SCORES), (SECOND, SECOND_SCORES)):
        context, tab, errors = _context(browser, app_url)
        try:
            _score_blind(tab, sid, who, scores)
            shot(tab, f"calibration-{who.split()[0].lower()}")
        finally:
            context.close()
        assert not errors, f"JavaScript errors on {who}'s page: {errors}"

    # The lead's results: both reviewers, the service's alpha, alignment per reviewer.
    page.goto(f"/calibration/{sid}")
    results = page.get_by_test_id("calib-results")
    expect(results).to_be_visible()
    for name in (LEAD, FIRST, SECOND):
        expect(
            results.locator(f"[data-testid=calib-value][data-reviewer='{name}']")
        ).not_to_have_count(0)
    with session_scope(browser_db_url) as session:
        lead = Actor.of(session.scalar(select(User).where(User.name == LEAD)))
        expected = calibration_results(session, lead, sid)
    alpha = expected["overall"]["alpha"]
    assert alpha is not None
    expect(page.get_by_test_id("calib-alpha")).to_have_text(f"{alpha:.3f}")
    expect(page.get_by_test_id("calib-alpha")).to_have_attribute("data-value", str(alpha))
    auto = expected["overall"]["alpha_with_automatic"]
    expect(page.get_by_test_id("calib-alpha-auto")).to_have_text(
        "—" if auto is None else f"{auto:.3f}"
    )
    assert expected["alignment"] == {FIRST: 1.0, SECOND: 0.25}
    expect(page.get_by_test_id(f"calib-alignment-{FIRST}")).to_have_text("100%")
    expect(page.get_by_test_id(f"calib-alignment-{SECOND}")).to_have_text("25%")
    row = results.locator("[data-testid=calib-row][data-criterion=readable]")
    expect(row.locator(f"[data-reviewer='{SECOND}']")).to_contain_text("-1")  # 0 vs baseline 1
    shot(page, "calibration-results")
