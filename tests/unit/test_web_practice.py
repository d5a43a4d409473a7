"""The practice pages' states: a whole role-play attempt played through the page's handlers,
the library, history and progress of a trainee, and spoken replies (upload, recorder route)."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import reflex as rx

import trainer.trainer  # noqa: F401 - registers the pages (and the practice page's route arg)
from trainer.db.session import session_scope
from trainer.roleplay.attempt import read_script
from trainer.services import roleplay as rp
from trainer.web import routes
from trainer.web.practice.attempt_state import REPLY_INPUT, PracticeAttemptState
from trainer.web.practice.state import PracticeState

from ..conftest import REPO, missing_service
from .test_web_states import ADMIN, sign_in_people, state

FIXTURES = REPO / "tests" / "fixtures" / "roleplay"
PEOPLE = [
    ("Riley Park", "trainee", []),
    ("Noor Haddad", "trainee", []),
    ("Sam Lee", "agent", []),
]


@pytest.fixture
def people(sqlite_url):
    """Trainees and an agent, each signed in (a fresh database per test)."""
    sign_in_people(PEOPLE)
    return sqlite_url


def script(name: str) -> list[str]:
    return read_script((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))


def attempt_page(scenario: str = "double-charge", trainee: str = "Riley Park"):
    s = state(
        PracticeAttemptState,
        routes.PRACTICE_SCENARIO,
        f"/practice/{scenario}",
        {"scenario_id": scenario},
        who=trainee,
    )
    s.on_load()
    return s


def play(s, lines: list[str]) -> None:
    for line in lines:
        if s.ended:
            break
        s.send({"reply": line})


def wav_bytes(samples: np.ndarray, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def test_web_practice_attempt_starts_with_brief_opening_and_mood(people):
    s = attempt_page()
    assert s.error == "" and s.found
    assert s.title == "Charged twice for one order"
    assert s.trainee == "Riley Park"
    assert s.home_href == "/practice"
    assert s.customer == "Dana Ruiz" and s.pass_mark > 0
    assert [b.speaker for b in s.bubbles] == ["customer"]
    assert "charged me" in s.bubbles[0].text
    assert s.mood.value == 7 and s.mood.tone == "red"
    assert s.moods == [{"reply": 0, "mood": 7}]
    assert not s.ended


def test_web_practice_good_script_resolves_passes_and_is_stored(people):
    s = attempt_page()
    moods = []
    for line in script("double-charge.good"):
        s.send({"reply": line})
        moods.append(s.mood.value)
        if s.ended:
            break
    assert s.ended and s.outcome == "resolved" and s.outcome_label == "Resolved"
    assert s.passed and float(s.score.text) >= s.pass_mark
    assert moods[0] < 7 and moods[-1] <= 2  # the meter follows the customer calming down
    assert [p["mood"] for p in s.moods][0] == 7 and len(s.moods) == len(moods) + 1
    assert {b.speaker for b in s.bubbles} == {"customer", "agent"}
    assert s.bubbles[1].mine and not s.bubbles[0].mine
    assert {c.key for c in s.sections} >= {"empathy", "resolution"}
    with session_scope() as session:
        attempts = rp.list_attempts(session, ADMIN, "Riley Park")
    assert [(a["scenario"], a["outcome"], a["passed"]) for a in attempts] == [
        ("double-charge", "resolved", True)
    ]
    # Sending after the end does nothing.
    s.send({"reply": "Hello?"})
    assert s.error == ""


def test_web_practice_poor_script_customer_leaves_with_feedback(people):
    s = attempt_page(trainee="Noor Haddad")
    play(s, script("double-charge.poor"))
    if not s.ended:
        s.finish()
    assert s.outcome == "customer_left" and s.outcome_tone == "red"
    assert not s.passed
    assert s.feedback and s.feedback[0].where == "Turn 1"
    assert any(f.better_reply for f in s.feedback)
    assert not any(f.message.lower().startswith("turn ") for f in s.feedback)
    assert s.mood.value == 10


def test_web_practice_finish_ends_early_and_restart_starts_again(people):
    s = attempt_page()
    s.send({"reply": "   "})  # blank replies are ignored
    assert len(s.bubbles) == 1
    s.send({"reply": script("double-charge.good")[0]})
    first = s.attempt_id
    s.finish()
    assert s.ended and s.outcome == "unresolved" and not s.passed
    s.restart()
    assert not s.ended and s.attempt_id != first and len(s.bubbles) == 1


def test_web_practice_unknown_scenario_shows_an_error(people):
    s = attempt_page("no-such-scenario")
    assert not s.found and s.loaded
    assert "no scenario with id 'no-such-scenario'" in s.error


def test_web_practice_attempt_is_the_signed_in_users_and_needs_a_login(people):
    s = attempt_page(trainee="Sam Lee")
    assert s.trainee == "Sam Lee"
    with session_scope() as session:
        assert rp.list_attempts(session, ADMIN, "Riley Park") == []
    signed_out = state(
        PracticeAttemptState,
        routes.PRACTICE_SCENARIO,
        "/practice/late-delivery",
        {"scenario_id": "late-delivery"},
        who=None,
    )
    spec = signed_out.on_load()
    assert spec is not None and not signed_out.found and signed_out.attempt_id == 0


def test_web_practice_library_history_and_progress(people):
    played = attempt_page()
    play(played, script("double-charge.good"))
    played.restart()
    play(played, script("double-charge.poor"))
    if not played.ended:
        played.finish()
    p = state(PracticeState, routes.PRACTICE, "/practice", who="Riley Park")
    p.on_load()
    assert p.error == ""
    assert len(p.cards) == len(rp.scenario_library()) == 10
    card = next(c for c in p.cards if c.id == "double-charge")
    assert card.passed and card.attempts == 2
    assert card.best.text == "100" and card.latest.text != card.best.text
    assert card.href == "/practice/double-charge"
    assert card.customer == "Dana Ruiz" and "Empathy" in card.skills
    other = next(c for c in p.cards if c.id == "late-delivery")
    assert not other.passed and other.best.text == "—"
    assert (p.attempts, p.passed_attempts, p.scenarios_passed) == (2, 1, 1)
    assert [r.outcome for r in p.history] == ["customer_left", "resolved"]  # newest first
    assert p.history[1].title == "Charged twice for one order"
    assert [row["label"] for row in p.chart] == ["#1", "#2"]
    assert p.chart[0]["empathy"] > p.chart[1]["empathy"]
    assert "empathy" in [line.key for line in p.skill_lines]

    # Sam sees his own (empty) history, whatever the address says.
    sam = state(PracticeState, routes.PRACTICE, "/practice?trainee=Riley+Park", who="Sam Lee")
    sam.on_load()
    assert sam.history == [] and sam.chart == [] and sam.attempts == 0
    assert not any(c.passed for c in sam.cards)


def test_web_practice_library_without_attempts_still_lists_scenarios(people):
    p = state(PracticeState, routes.PRACTICE, who="Noor Haddad")
    p.on_load()
    assert p.error == "" and len(p.cards) == 10 and p.history == []


def test_web_practice_transcribe_rejects_silence_empty_and_junk(people):
    text, error = rp.transcribe_reply_bytes(wav_bytes(np.zeros(16_000 * 2, dtype=np.int16)), ".wav")
    assert text == "" and "silent" in error
    text, error = rp.transcribe_reply_bytes(wav_bytes(np.full(1600, 2000, dtype=np.int16)), ".wav")
    assert text == "" and "half a second" in error
    assert rp.transcribe_reply_bytes(b"", ".webm")[1].startswith("The file is empty")
    text, error = rp.transcribe_reply_bytes(b"this is not audio at all" * 40, ".wav")
    assert text == "" and error
    assert "/tmp" not in error and "trainer-reply" not in error


@pytest.fixture(scope="module")
def spoken_reply(tmp_path_factory) -> bytes:
    """A short spoken reply (espeak-ng), as WAV bytes."""
    if shutil.which("espeak-ng") is None:
        missing_service("espeak-ng is not installed (apt-get install espeak-ng)")
    path = tmp_path_factory.mktemp("speech") / "reply.wav"
    text = "I am so sorry about the double charge. I will refund it today."
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    return path.read_bytes()


def test_web_practice_upload_transcribes_into_the_reply_box(people, spoken_reply):
    s = attempt_page()

    class Upload:
        name = "my reply.wav"
        filename = "my reply.wav"

        async def read(self):
            return spoken_reply

    async def run():
        return [event async for event in s.transcribe_upload([Upload()])]

    # A fresh thread has no event loop, whatever an earlier test (Playwright) left in this one.
    with ThreadPoolExecutor(1) as pool:
        events = pool.submit(asyncio.run, run()).result()
    assert not s.transcribing and s.voice_error == ""
    assert "Transcribed my reply.wav" in s.voice_note
    set_value = events[-1]
    assert isinstance(set_value, rx.event.EventSpec)
    args = {name._js_expr: value._js_expr for name, value in set_value.args}
    assert REPLY_INPUT.replace("-", "_") in args["ref"]
    assert "refund" in args["value"].lower()


def test_web_practice_recorder_callbacks(people):
    s = attempt_page()
    s.recording_started({"error": "The microphone is not available (NotAllowedError)"})
    assert not s.recording and "microphone" in s.voice_error
    s.recording_started({"recording": True})
    assert s.recording and s.voice_error == "" and "Recording" in s.voice_note
    s.stop_recording()
    assert s.transcribing and not s.recording
    s.recording_transcribed({"error": "the recording is silent"})
    assert not s.transcribing and s.voice_error == "the recording is silent"
    event = s.recording_transcribed({"text": "Hello Dana"})
    assert s.voice_error == "" and event is not None
