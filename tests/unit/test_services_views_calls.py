"""Read models for calls: `call_details` (what a call's review shows beside the transcript) and
`conversation_statuses` (progress of calls being transcribed, reasons of failures)."""

from __future__ import annotations

import pytest

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.errors import NotFoundError
from trainer.services.views import call_details, conversation_statuses, conversation_view

from ..call_seed import CALL_TURNS, store_call, store_pending_call, write_wav
from ..conftest import GOOD_CHAT, make_conversation

ADMIN = Actor.local_admin()


@pytest.fixture
def calls(sqlite_url, tmp_path):
    """A transcribed call with a playback file, one without, one processing, one failed, a chat."""
    from trainer.db.repository import store_conversation

    with session_scope() as session:
        store_call(session, "c-1", write_wav(tmp_path / "c-1.wav", 2.0))
        store_call(session, "c-2", tmp_path / "missing.wav", speaker_mode="stereo")
        store_pending_call(session, "c-3", "processing", 0.456, "right channel")
        store_pending_call(session, "c-4", "failed", 0.2, "failed", "AudioError: not audio")
        store_pending_call(session, "c-5", "queued", 0.0, None)
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="chat-1"))
    return sqlite_url


def test_services_views_call_details_of_a_transcribed_call(calls):
    with session_scope() as session:
        details = call_details(session, ADMIN, "c-1")
    assert details["conversation"] == "c-1"
    assert details["status"] == "ingested" and details["status_reason"] is None
    assert details["progress"] == 1.0 and details["stage"] == "done"
    assert details["speaker_mode"] == "mono"
    assert details["asr"] == {"engine": "faster-whisper", "model": "tiny.en", "loops_mended": 0}
    assert details["redactions"] == 1
    assert details["redaction_kinds"] == {"card": 1}
    assert details["has_audio"] is True
    assert details["duration"] == 40.0
    assert details["role_swaps"] == 0
    assert details["speaker_checks"] == {3: 2}
    speech = details["speech"]
    assert speech["talk_seconds"]["agent"] > speech["talk_seconds"]["customer"] > 0
    assert speech["talk_to_listen"] == pytest.approx(
        speech["talk_seconds"]["agent"] / speech["talk_seconds"]["customer"], abs=0.01
    )


def test_services_views_call_details_without_playback_file_has_no_audio(calls):
    with session_scope() as session:
        details = call_details(session, ADMIN, "c-2")
    assert details["has_audio"] is False
    assert details["speaker_mode"] == "stereo"
    assert details["speaker_checks"] == {}


def test_services_views_call_details_of_a_processing_call(calls):
    with session_scope() as session:
        details = call_details(session, ADMIN, "c-3")
    assert details["status"] == "processing"
    assert details["progress"] == pytest.approx(0.456)
    assert details["stage"] == "right channel"
    assert details["speech"] is None and details["asr"] is None
    assert details["redactions"] == 0 and details["has_audio"] is False


def test_services_views_call_details_is_none_for_a_chat_and_unknown_id_raises(calls):
    with session_scope() as session:
        assert call_details(session, ADMIN, "chat-1") is None
        with pytest.raises(NotFoundError):
            call_details(session, ADMIN, "nope")


def test_services_views_conversation_view_of_a_call_has_word_timings(calls):
    with session_scope() as session:
        view = conversation_view(session, ADMIN, "c-1")
    assert view["channel"] == "call"
    assert [t["speaker"] for t in view["turns"]] == [s for s, _, _ in CALL_TURNS]
    first = view["turns"][0]
    assert first["start"] == pytest.approx(0.5)
    assert first["words"][0] == ["Thanks", 0.5, 0.8]


def test_services_views_conversation_statuses_lists_pending_and_failed_only(calls):
    with session_scope() as session:
        statuses = conversation_statuses(session, ADMIN)
        narrowed = conversation_statuses(session, ADMIN, ["c-3", "c-1"])
    assert set(statuses) == {"c-3", "c-4", "c-5"}
    assert statuses["c-3"] == {
        "status": "processing",
        "reason": None,
        "progress": pytest.approx(0.456),
        "stage": "right channel",
    }
    assert statuses["c-4"]["status"] == "failed"
    assert statuses["c-4"]["reason"] == "AudioError: not audio"
    assert statuses["c-5"]["status"] == "queued" and statuses["c-5"]["stage"] is None
    assert set(narrowed) == {"c-3"}


def test_services_views_progress_is_clamped_and_bad_values_are_none(calls):
    from trainer.db.repository import find_conversation

    with session_scope() as session:
        find_conversation(session, "c-3").extra = {"progress": 7}
        find_conversation(session, "c-5").extra = {"progress": "lots"}
    with session_scope() as session:
        statuses = conversation_statuses(session, ADMIN)
    assert statuses["c-3"]["progress"] == 1.0
    assert statuses["c-5"]["progress"] is None
