"""The HTTP route that serves a call's redacted recording to the review page's player."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.web.api import api

from ..call_seed import store_call, store_pending_call, write_wav
from ..conftest import GOOD_CHAT, make_conversation


@pytest.fixture
def client(sqlite_url, tmp_path):
    with session_scope() as session:
        store_call(session, "call-1", write_wav(tmp_path / "playback.wav", 1.0))
        store_call(session, "call 2/b", write_wav(tmp_path / "other.wav", 1.0))
        store_call(session, "call-gone", tmp_path / "deleted.wav")
        store_pending_call(session, "call-busy")
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="chat-1"))
    return TestClient(api)


def test_web_api_audio_serves_the_playback_wav(client, tmp_path):
    response = client.get("/api/audio/call-1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == (tmp_path / "playback.wav").read_bytes()
    assert response.content[:4] == b"RIFF"


def test_web_api_audio_answers_range_requests_for_seeking(client, tmp_path):
    response = client.get("/api/audio/call-1", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.content == (tmp_path / "playback.wav").read_bytes()[100:200]
    size = (tmp_path / "playback.wav").stat().st_size
    assert response.headers["content-range"] == f"bytes 100-199/{size}"


def test_web_api_audio_decodes_ids_with_spaces_and_slashes(client, tmp_path):
    response = client.get("/api/audio/call%202%2Fb")
    assert response.status_code == 200
    assert response.content == (tmp_path / "other.wav").read_bytes()


@pytest.mark.parametrize("external_id", ["chat-1", "call-busy", "call-gone", "no-such-id"])
def test_web_api_audio_is_404_without_a_playable_recording(client, external_id):
    response = client.get(f"/api/audio/{external_id}")
    assert response.status_code == 404
    assert external_id in response.json()["detail"]


def test_web_api_audio_head_gives_length_without_body(client, tmp_path):
    response = client.head("/api/audio/call-1")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == (tmp_path / "playback.wav").stat().st_size
    assert response.content == b""
