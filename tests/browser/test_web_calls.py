"""Calls in a real browser: the recording served and played from a clicked turn, the speech
analytics panel, swapping speakers, and the status of calls still being transcribed."""

from __future__ import annotations

import re

import pytest

from trainer.access import Actor
from trainer.db.repository import find_conversation
from trainer.db.session import session_scope
from trainer.services.views import call_details, conversation_view

from ..call_seed import finish_call
from .conftest import FAILED_REASON, login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

ROW = "[data-testid=conversation-row]"
CURRENT_TIME = "document.querySelector('audio').currentTime"
ADMIN = Actor.local_admin()


@pytest.fixture
def page(page):
    """The test's page, signed in as a QA reviewer (sees every call, may swap speakers)."""
    login(page, "reviewer")
    return page


def test_web_calls_audio_route_serves_wav_for_calls_only(page):
    response = page.request.get("/api/v1/audio/b-5")
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.body()[:4] == b"RIFF"
    ranged = page.request.get("/api/v1/audio/b-5", headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and len(ranged.body()) == 100
    assert page.request.get("/api/v1/audio/b-1").status == 404  # a chat
    assert page.request.get("/api/v1/audio/b-6").status == 404  # not transcribed yet
    assert page.request.get("/api/v1/audio/no-such-id").status == 404


def test_web_calls_review_plays_from_the_clicked_turn(page, browser_db_url, shot):
    with session_scope(browser_db_url) as session:
        view = conversation_view(session, ADMIN, "b-5")
    page.goto("/conversations/b-5")
    audio = page.locator("audio#call-audio")
    expect(audio).to_have_count(1)
    src = audio.get_attribute("src")
    assert src and src.endswith("/api/v1/audio/b-5")
    assert page.request.get(src).status == 200
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    turns = page.get_by_test_id("turn")
    expect(turns).to_have_count(len(view["turns"]))
    expect(turns.nth(2).get_by_test_id("turn-time")).to_have_text(re.compile(r"0:11$"))

    start = view["turns"][2]["start"]
    turns.nth(2).get_by_test_id("turn-text").click()
    page.wait_for_function(f"Math.abs({CURRENT_TIME} - {start}) < 1.5")
    # Its time button seeks too.
    later = view["turns"][4]["start"]
    turns.nth(4).get_by_test_id("turn-time").click()
    page.wait_for_function(f"Math.abs({CURRENT_TIME} - {later}) < 1.5")
    page.evaluate("document.querySelector('audio').pause()")
    # The redacted card number shows as a placeholder badge.
    expect(turns.nth(1).get_by_test_id("redaction")).to_have_text("[CARD]")
    # The one turn whose voice the diarization was unsure of asks for a check.
    expect(page.get_by_test_id("speaker-check")).to_have_count(1)
    expect(turns.nth(3).get_by_test_id("speaker-check")).to_have_attribute(
        "title", "Check the speaker: the voice is unclear on 2 words"
    )
    shot(page, "review-call")


def test_web_calls_review_shows_speech_analytics(page, browser_db_url):
    with session_scope(browser_db_url) as session:
        details = call_details(session, ADMIN, "b-5")
    speech = details["speech"]
    page.goto("/conversations/b-5")
    panel = page.get_by_test_id("speech-analytics")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("talk-ratio")).to_have_text(f"{speech['talk_to_listen']:.2f}")
    for key in ("talk_agent", "silence_share", "overtalk", "wpm_agent", "holds", "dead_air"):
        expect(panel.locator(f"[data-testid=speech-stat][data-stat={key}]")).to_be_visible()
    expect(panel.get_by_test_id("speaker-mode")).to_contain_text("Mono")
    expect(panel.get_by_test_id("asr")).to_have_text("faster-whisper · tiny.en")
    expect(panel.get_by_test_id("redactions")).to_have_text("1 item redacted (1 card)")
    expect(panel.get_by_test_id("speaker-checks")).to_have_text("1 turn to check")
    # A chat has neither panel nor player.
    page.goto("/conversations/b-1")
    expect(page.get_by_test_id("turn").first).to_be_visible()
    expect(page.get_by_test_id("speech-analytics")).to_have_count(0)
    expect(page.locator("audio")).to_have_count(0)
    expect(page.get_by_test_id("swap-speakers")).to_have_count(0)


def test_web_calls_swap_speakers_flips_turns_and_ratio(page, browser_db_url, shot):
    with session_scope(browser_db_url) as session:
        before = call_details(session, ADMIN, "b-8")["speech"]["talk_to_listen"]
        speakers = [t["speaker"] for t in conversation_view(session, ADMIN, "b-8")["turns"]]
    page.goto("/conversations/b-8")
    turns = page.get_by_test_id("turn")
    expect(turns).to_have_count(len(speakers))
    expect(page.get_by_test_id("talk-ratio")).to_have_text(f"{before:.2f}")
    page.get_by_test_id("swap-speakers").click()
    swap = {"agent": "customer", "customer": "agent"}
    # Re-scoring loads the scoring pipeline in the server on first use: give it time.
    expect(turns.first).to_have_attribute("data-speaker", swap[speakers[0]], timeout=60_000)
    assert turns.evaluate_all("ts => ts.map(t => t.dataset.speaker)") == [swap[s] for s in speakers]
    with session_scope(browser_db_url) as session:
        after = call_details(session, ADMIN, "b-8")["speech"]["talk_to_listen"]
    assert after == pytest.approx(1 / before, abs=0.02)
    expect(page.get_by_test_id("talk-ratio")).to_have_text(f"{after:.2f}")
    expect(page.get_by_test_id("role-swaps")).to_have_text("1")
    shot(page, "review-call-swapped")


def test_web_calls_failed_call_shows_reason_in_list_and_review(page, shot):
    page.goto("/conversations")
    row = page.locator(f"{ROW}[data-conversation=b-7]")
    expect(row.get_by_test_id("status-badge")).to_have_text("Failed")
    expect(row.get_by_test_id("status-reason")).to_have_text(FAILED_REASON)
    page.goto("/conversations/b-7")
    expect(page.get_by_test_id("status-badge")).to_have_text("Failed")
    expect(page.get_by_test_id("status-reason")).to_have_text(FAILED_REASON)
    expect(page.get_by_test_id("no-turns")).to_contain_text("failed")
    shot(page, "review-call-failed")


def test_web_calls_processing_call_polls_until_transcribed(page, browser_db_url, shot):
    page.goto("/conversations")
    row = page.locator(f"{ROW}[data-conversation=b-6]")
    expect(row.get_by_test_id("status-badge")).to_have_text("Processing 30%")
    shot(page, "conversations-with-calls")

    page.goto("/conversations/b-6")
    badge = page.get_by_test_id("status-badge")
    expect(badge).to_have_text("Processing 30%")
    expect(page.get_by_test_id("processing")).to_be_visible()
    expect(page.get_by_test_id("processing-detail")).to_contain_text("left channel")
    shot(page, "review-call-processing")

    with session_scope(browser_db_url) as session:
        find_conversation(session, "b-6").extra = {"progress": 0.75, "stage": "right channel"}
    expect(badge).to_have_text("Processing 75%", timeout=10_000)
    expect(page.get_by_test_id("processing-detail")).to_contain_text("right channel")

    with session_scope(browser_db_url) as session:
        finish_call(session, "b-6")
    expect(page.get_by_test_id("turn").first).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("processing")).to_have_count(0)
    expect(page.get_by_test_id("status-badge")).to_have_count(0)
    expect(page.get_by_test_id("review-status")).to_have_text("ingested")
    expect(page.get_by_test_id("talk-ratio")).to_be_visible()
