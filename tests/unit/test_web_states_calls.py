"""The pages' states for calls: player seeking, speech analytics, swapping speakers, and the
status of calls being transcribed (progress, polling, failures)."""

from __future__ import annotations

import pytest

import trainer.trainer  # noqa: F401 - registers the pages (and the review page's route arg)
from trainer.db import session as db_session
from trainer.db.repository import find_conversation, store_conversation
from trainer.db.session import session_scope
from trainer.services.scoring import score_stored
from trainer.web.conversations.review_state import AUDIO_ID, ReviewState, seek_script
from trainer.web.conversations.state import ConversationsState

from ..call_seed import CALL_TURNS, finish_call, store_call, store_pending_call, write_wav
from ..conftest import GOOD_CHAT, make_conversation
from .test_web_states import sign_in_people, state


@pytest.fixture(scope="module")
def seeded_calls(tmp_path_factory):
    """A scored call with a recording, a chat, a call processing, one queued and one failed."""
    folder = tmp_path_factory.mktemp("web-calls")
    url = f"sqlite:///{folder / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        sign_in_people()
        with session_scope() as session:
            store_call(session, "call-1", write_wav(folder / "call-1.wav", 2.0))
            store_call(session, "call-2", write_wav(folder / "call-2.wav", 2.0))
            store_conversation(session, make_conversation(GOOD_CHAT, external_id="chat-1"))
            score_stored(session, ["call-1", "call-2", "chat-1"])
            store_pending_call(session, "call-3", "processing", 0.45, "left channel")
            store_pending_call(session, "call-4", "failed", 0.1, "failed", "AudioError: no audio")
            store_pending_call(session, "call-5", "queued", 0.0, None)
        yield url
        db_session.reset_cache()


def review(external_id: str) -> ReviewState:
    s = state(ReviewState)
    s.load_conversation(external_id)
    return s


def test_web_review_call_loads_player_and_speech_analytics(seeded_calls):
    s = review("call-1")
    assert s.found and s.is_call and s.channel == "call"
    assert s.audio_src == "/api/v1/audio/call-1"
    assert not s.progress.shown and not s.progress.pending
    call = s.call
    assert call.measured and call.has_audio and call.mono
    assert float(call.talk_ratio) > 1  # the agent talks more in the seeded call
    assert call.agent_share > call.customer_share > 0
    assert {st.key for st in call.stats} >= {"talk_agent", "silence_share", "overtalk", "holds"}
    assert call.redactions == 1 and "card" in call.redaction_text
    assert call.asr == "faster-whisper · tiny.en"
    assert [t.speaker for t in s.turns] == [speaker for speaker, _, _ in CALL_TURNS]
    assert all(t.seekable for t in s.turns)
    assert s.turns[1].time == "0:06" and s.turns[1].start == pytest.approx(6.0)
    assert [seg.text for seg in s.turns[1].segments if seg.redaction] == ["[CARD]"]


def test_web_review_chat_is_not_a_call(seeded_calls):
    s = review("chat-1")
    assert s.found and not s.is_call
    assert s.audio_src == "" and not s.call.measured
    assert s.seek_turn(0) is None and s.seek(3.0) is None


def test_web_review_seek_turn_plays_from_the_turn_start(seeded_calls):
    s = review("call-1")
    spec = s.seek_turn(2)
    script = str(spec.args)
    assert AUDIO_ID in script and "currentTime = 11.00" in script and "play()" in script
    assert s.seek_turn(99) is None and s.seek_turn(-1) is None
    assert "currentTime = 30.50" in str(s.seek(30.5).args)
    assert "currentTime = 0.00" in seek_script(-4)


def test_web_review_seek_needs_a_recording(seeded_calls, tmp_path):
    with session_scope() as session:
        store_call(session, "call-noaudio", tmp_path / "gone.wav")
    s = review("call-noaudio")
    assert s.is_call and s.audio_src == "" and not s.call.has_audio
    assert s.seek_turn(0) is None


def test_web_review_swap_speakers_flips_turns_and_metrics(seeded_calls):
    s = review("call-2")
    before = [t.speaker for t in s.turns]
    ratio = float(s.call.talk_ratio)
    steps = list(s.swap_speakers())
    assert len(steps) == 1  # one update with the button's spinner, then the result
    assert s.error == "" and not s.swapping
    swap = {"agent": "customer", "customer": "agent"}
    assert [t.speaker for t in s.turns] == [swap[x] for x in before]
    assert float(s.call.talk_ratio) == pytest.approx(1 / ratio, abs=0.02)
    assert s.call.role_swaps == 1
    assert s.rubric.startswith("customer_service@")
    # Swapping back restores the speakers.
    list(s.swap_speakers())
    assert [t.speaker for t in s.turns] == before and s.call.role_swaps == 2


def test_web_review_swap_is_refused_for_chats_and_pending_calls(seeded_calls):
    chat = review("chat-1")
    assert list(chat.swap_speakers()) == []
    pending = review("call-3")
    assert list(pending.swap_speakers()) == []
    with session_scope() as session:
        assert find_conversation(session, "call-3").status == "processing"


def test_web_review_processing_call_shows_progress_and_starts_polling(seeded_calls):
    s = state(ReviewState)
    event = s.load_conversation("call-3")
    assert event is not None and "poll_status" in str(event)
    assert s.found and s.is_call and s.turns == []
    assert s.progress.pending and s.progress.shown
    assert (s.progress.label, s.progress.percent, s.progress.stage) == (
        "Processing 45%",
        45,
        "left channel",
    )
    assert not s.call.measured and s.audio_src == ""
    queued = state(ReviewState)
    assert queued.load_conversation("call-5") is not None
    assert queued.progress.label == "Queued"
    # A finished call does not poll.
    assert state(ReviewState).load_conversation("call-1") is None


def test_web_review_poll_updates_progress_then_loads_the_transcript(seeded_calls):
    with session_scope() as session:
        store_pending_call(session, "call-6", "processing", 0.1, "decoding")
    s = review("call-6")
    assert s.progress.percent == 10
    with session_scope() as session:
        record = find_conversation(session, "call-6")
        record.extra = {"progress": 0.62, "stage": "right channel"}
    assert s._poll_once() is True
    assert (s.progress.percent, s.progress.stage) == (62, "right channel")
    with session_scope() as session:
        finish_call(session, "call-6")
    assert s._poll_once() is False
    assert not s.progress.pending and s.status == "ingested"
    assert len(s.turns) == len(CALL_TURNS) and s.call.measured
    assert s.call.speaker_mode.startswith("Stereo")


def test_web_review_failed_call_shows_the_reason(seeded_calls):
    s = state(ReviewState)
    assert s.load_conversation("call-4") is None
    assert s.progress.failed and s.progress.label == "Failed"
    assert s.status_reason == "AudioError: no audio"
    assert s.progress.reason == "AudioError: no audio"
    assert s.turns == []


def test_web_conversations_list_shows_call_progress_and_failures(seeded_calls):
    s = state(ConversationsState, "/conversations")
    event = s.on_load()
    assert event is not None and "poll_status" in str(event)
    assert s.pending
    rows = {r.conversation: r for r in s.rows}
    assert rows["call-3"].state.label == "Processing 45%"
    assert rows["call-5"].state.label == "Queued"
    assert rows["call-4"].state.failed and rows["call-4"].state.reason == "AudioError: no audio"
    assert not rows["call-1"].state.shown and rows["call-1"].score.text != "—"
    assert not rows["chat-1"].state.shown
    # Filtered to chats only, nothing is pending and nothing polls.
    assert s.set_channel("chat") is None
    assert not s.pending
