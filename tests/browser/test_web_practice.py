"""Role-play practice in a real browser: play double-charge to the end (well and poorly), see the
mood meter move, the end screen and the attempt in the history; a spoken reply uploaded as WAV."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from trainer.roleplay.attempt import read_script

from ..conftest import REPO, missing_service
from .conftest import login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

FIXTURES = REPO / "tests" / "fixtures" / "roleplay"
BUBBLE = "[data-testid=bubble]"
SLOW = 30_000  # the first page load of a fresh server loads the scenarios and pandas


def script(name: str) -> list[str]:
    return read_script((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))


def mood(page) -> int:
    return int(page.get_by_test_id("mood-meter").get_attribute("data-mood"))


def open_scenario(page, trainee: str, fresh: bool = True):
    """Sign in as `trainee` (`fresh`: who has not played it yet), open /practice, then the
    double-charge card's Practise button."""
    login(page, trainee, next_path="/practice")
    expect(page.locator("[data-testid=scenario-card]")).to_have_count(10, timeout=SLOW)
    card = page.locator("[data-testid=scenario-card][data-scenario=double-charge]")
    expect(card).to_contain_text("Charged twice for one order")
    if fresh:
        expect(card.get_by_test_id("best")).to_have_text("—")
    card.get_by_test_id("practise").click()
    expect(page).to_have_url(re.compile(r"/practice/double-charge/?$"))
    expect(page.get_by_test_id("trainee")).to_have_text(trainee, timeout=SLOW)
    expect(page.locator(BUBBLE)).to_have_count(1)
    expect(page.locator(BUBBLE).first).to_contain_text("charged me")


def play(page, lines: list[str]) -> list[int]:
    """Type each reply and send it; the moods after each customer answer."""
    moods = []
    for line in lines:
        if page.get_by_test_id("end-screen").count():
            break
        count = page.locator(BUBBLE).count()
        page.get_by_test_id("reply-input").fill(line)
        page.locator("#send-reply").click()
        expect(page.locator(BUBBLE)).to_have_count(count + 2)
        expect(page.get_by_test_id("reply-input").or_(page.get_by_test_id("end-screen")))
        moods.append(mood(page))
    return moods


def test_web_practice_good_script_resolves_and_shows_in_history(page, shot):
    open_scenario(page, "Riley Park")
    assert mood(page) == 7
    expect(page.get_by_test_id("mood-label")).to_have_text("Angry")
    shot(page, "practice-start")
    moods = play(page, script("double-charge.good"))
    assert moods[0] < 7, moods  # the mood meter changed after the first reply
    end = page.get_by_test_id("end-screen")
    expect(end).to_be_visible()
    expect(end.get_by_test_id("outcome")).to_have_attribute("data-outcome", "resolved")
    expect(end.get_by_test_id("outcome")).to_have_text("Resolved")
    expect(end.get_by_test_id("passed")).to_have_attribute("data-passed", "true")
    score = int(end.get_by_test_id("score").inner_text())
    assert score >= 70
    expect(end.get_by_test_id("mood-chart").locator(".recharts-line")).to_have_count(1)
    expect(end.get_by_test_id("feedback-empty").or_(end.get_by_test_id("feedback-item").first))
    expect(page.locator("#reply-form")).to_have_count(0)
    shot(page, "practice-resolved")

    page.locator("#back-to-practice").click()
    expect(page).to_have_url(re.compile(r"/practice/?$"))
    rows = page.locator("[data-testid=history-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-outcome", "resolved")
    expect(rows.first.get_by_test_id("score")).to_have_text(str(score))
    expect(rows.first.get_by_test_id("passed")).to_have_text("Passed")
    card = page.locator("[data-testid=scenario-card][data-scenario=double-charge]")
    expect(card.get_by_test_id("passed-badge")).to_be_visible()
    expect(card.get_by_test_id("best")).to_have_text(str(score))
    expect(page.locator("#progress-chart .recharts-surface").first).to_be_visible()
    expect(page.locator("#progress-chart .recharts-legend-item")).to_have_count(5)
    expect(page.get_by_test_id("stat-attempts")).to_have_text("1")
    shot(page, "practice-history")


def test_web_practice_poor_script_customer_leaves_with_feedback(page, shot):
    open_scenario(page, "Noor Haddad")
    moods = play(page, script("double-charge.poor"))
    assert moods and moods[0] > 7, moods
    end = page.get_by_test_id("end-screen")
    expect(end.get_by_test_id("outcome")).to_have_attribute("data-outcome", "customer_left")
    expect(end.get_by_test_id("passed")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("mood-label")).to_have_text("About to leave")
    items = end.get_by_test_id("feedback-item")
    expect(items.first).to_contain_text("Turn 1")
    expect(end.get_by_test_id("better-reply").first).to_be_visible()
    shot(page, "practice-customer-left")

    page.locator("#practise-again").click()
    expect(page.get_by_test_id("end-screen")).to_have_count(0)
    expect(page.locator(BUBBLE)).to_have_count(1)
    page.goto("/practice")
    rows = page.locator("[data-testid=history-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-outcome", "customer_left")
    expect(rows.first.get_by_test_id("passed")).to_have_text("Not passed")


def test_web_practice_uploaded_spoken_reply_fills_the_reply_box(page, tmp_path, shot):
    if shutil.which("espeak-ng") is None:
        missing_service(
            "espeak-ng is not installed (apt-get install espeak-ng): no speech to upload"
        )
    wav = tmp_path / "reply.wav"
    text = "I am so sorry about the double charge. I will refund it today."
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
    silent = tmp_path / "silent.wav"
    subprocess.run(["espeak-ng", "-w", str(silent), " "], check=True)
    open_scenario(page, "Riley Park", fresh=False)

    upload = page.locator("[data-testid=audio-upload] input[type=file]")
    upload.set_input_files(str(wav))
    box = page.get_by_test_id("reply-input")
    expect(box).to_have_value(re.compile("refund", re.IGNORECASE), timeout=60_000)
    expect(page.get_by_test_id("voice-note")).to_contain_text("Transcribed reply.wav")
    shot(page, "practice-voice")
    page.locator("#send-reply").click()
    expect(page.locator(BUBBLE)).to_have_count(3)
    expect(page.locator(BUBBLE).nth(1)).to_contain_text(re.compile("refund", re.IGNORECASE))

    upload.set_input_files(str(silent))
    expect(page.get_by_test_id("voice-error")).to_be_visible(timeout=60_000)
    expect(box).to_have_value("")


def test_web_practice_record_without_a_microphone_explains(page):
    """Headless Chromium has no microphone: Record says so instead of failing silently."""
    open_scenario(page, "Noor Haddad", fresh=False)
    page.locator("#record-reply").click()
    expect(page.get_by_test_id("voice-error")).to_contain_text("microphone")
    expect(page.locator("#record-reply")).to_be_enabled()


def test_web_practice_shows_only_the_signed_in_users_own_history(page):
    """Sam has played nothing; another trainee's name in the address changes nothing."""
    login(page, "agent")
    page.get_by_test_id("nav-practice").click()
    expect(page).to_have_url(re.compile(r"/practice/?$"))
    expect(page.locator("[data-testid=scenario-card]")).to_have_count(10, timeout=SLOW)
    expect(page.get_by_test_id("trainee")).to_have_text("Sam Lee")
    expect(page.get_by_test_id("trainee-select")).to_have_count(0)
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    page.goto("/practice?trainee=Riley+Park")
    expect(page.get_by_test_id("trainee")).to_have_text("Sam Lee")
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    expect(page.locator("[data-testid=history-row]")).to_have_count(0)
