"""Onboarding in a real browser: HR creates a cohort on `new-hire-basics` from the Onboarding
page and enrols two new hires (Ola Berg and Tomas Ng); Ola signs in, finds the path with
its first step open and the rest locked, follows the step's link to the practice page and passes
the double-charge role-play there; the cohort's funnel then shows one passed and one not started
on the first step, and the grid shows who is where."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from .conftest import require_playwright, signed_in_as
from .test_web_practice import BUBBLE, SLOW, play, script

expect = require_playwright()

pytestmark = pytest.mark.browser

HR, PASSES, WAITS = "Hana Ito", "Ola Berg", "Tomas Ng"
COHORT = "Browser hires"
PATH = "new-hire-basics"
FIRST = "double-charge"


def funnel_counts(tab, step: str) -> dict[str, int]:
    """The funnel table's counts of one step, by status."""
    row = tab.locator(f"[data-testid=funnel-row][data-step={step}]")
    statuses = ("not_started", "in_progress", "passed", "past_due", "did_not_pass")
    return {s: int(row.get_by_test_id(f"funnel-{s}").inner_text()) for s in statuses}


def create_cohort(tab, shot) -> str:
    """Fill and submit the create-cohort form; the cohort page's path."""
    expect(tab.get_by_test_id("onboarding-page")).to_be_visible()
    expect(tab.get_by_test_id("cohort-create")).to_be_visible(timeout=SLOW)
    tab.get_by_test_id("cohort-name").fill(COHORT)
    tab.get_by_test_id("cohort-path").select_option(PATH)
    tab.get_by_test_id("cohort-start").fill(date.today().isoformat())
    tab.get_by_test_id("cohort-due").fill((date.today() + timedelta(days=21)).isoformat())
    for person in (PASSES, WAITS):
        box = tab.locator(f"[data-testid=cohort-member][data-person='{person}']")
        box.click()
        expect(box).to_have_attribute("data-state", "checked")
    shot(tab, "onboarding-create-form")
    tab.get_by_test_id("cohort-create").click()
    expect(tab).to_have_url(re.compile(r"/onboarding/\d+/?$"), timeout=SLOW)
    return re.search(r"/onboarding/\d+", tab.url).group(0)


def test_web_onboarding_hr_cohort_trainee_passes_first_step_funnel(browser, app_url, shot):
    with signed_in_as(browser, app_url, HR, next_path="/onboarding") as hr:
        expect(hr.get_by_test_id("nav-onboarding")).to_be_visible()
        cohort_path = create_cohort(hr, shot)
        expect(hr.get_by_test_id("cohort-title")).to_have_text(COHORT, timeout=SLOW)
        expect(hr.locator("[data-testid=grid-row]")).to_have_count(2)
        assert funnel_counts(hr, FIRST)["not_started"] == 2
        shot(hr, "onboarding-cohort-new")
        hr.get_by_test_id("back").click()
        row = hr.locator(f"[data-testid=cohort-row][data-name='{COHORT}']")
        expect(row.get_by_test_id("cohort-members")).to_have_text("2")

    with signed_in_as(browser, app_url, PASSES, next_path="/onboarding") as trainee:
        card = trainee.locator(f"[data-testid=path-card][data-path={PATH}]")
        expect(card).to_be_visible(timeout=SLOW)
        first = card.locator(f"[data-testid=step-card][data-step={FIRST}]")
        expect(first).to_have_attribute("data-status", "not_started")
        expect(first).to_have_attribute("data-locked", "false")
        second = card.locator("[data-testid=step-card]").nth(1)
        expect(second).to_have_attribute("data-locked", "true")
        expect(second.get_by_test_id("step-practise")).to_have_count(0)
        shot(trainee, "onboarding-my-path")
        first.get_by_test_id("step-practise").click()
        expect(trainee).to_have_url(re.compile(rf"/practice/{FIRST}/?$"))
        expect(trainee.get_by_test_id("trainee")).to_have_text(PASSES, timeout=SLOW)
        expect(trainee.locator(BUBBLE)).to_have_count(1)
        play(trainee, script(f"{FIRST}.good"))
        end = trainee.get_by_test_id("end-screen")
        expect(end.get_by_test_id("passed")).to_have_attribute("data-passed", "true")
        trainee.goto("/onboarding")
        first = trainee.locator(f"[data-testid=step-card][data-step={FIRST}]")
        expect(first).to_have_attribute("data-status", "passed", timeout=SLOW)
        expect(trainee.locator("[data-testid=step-card]").nth(1)).to_have_attribute(
            "data-locked", "false"
        )

    with signed_in_as(browser, app_url, HR, next_path=cohort_path) as hr:
        expect(hr.get_by_test_id("cohort-title")).to_have_text(COHORT, timeout=SLOW)
        counts = funnel_counts(hr, FIRST)
        assert (counts["passed"], counts["not_started"]) == (1, 1), counts
        assert counts["in_progress"] == counts["past_due"] == counts["did_not_pass"] == 0
        passed = hr.locator(f"[data-testid=grid-row][data-person='{PASSES}']")
        waits = hr.locator(f"[data-testid=grid-row][data-person='{WAITS}']")
        cell = f"[data-testid=grid-cell][data-step={FIRST}]"
        expect(passed.locator(cell)).to_have_attribute("data-status", "passed")
        expect(waits.locator(cell)).to_have_attribute("data-status", "not_started")
        expect(passed.get_by_test_id("member-current")).to_have_text(
            "Birthday present running late"
        )
        expect(hr.locator("#funnel-chart .recharts-surface").first).to_be_visible()
        shot(hr, "onboarding-cohort-funnel")
