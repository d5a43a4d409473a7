"""POST /api/v1/calls: the body is the audio; it is kept by content hash, registered as a queued
call and handed to the queue once; refusals for non-admins, non-audio, oversize bodies, bad ids
and an id taken by other audio."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from trainer.db.models import AuditEvent
from trainer.db.repository import find_conversation
from trainer.db.session import session_scope
from trainer.jobs import queue as queue_module

from ..call_seed import write_wav


@pytest.fixture
def queue(tmp_path, monkeypatch):
    """A queue and an upload folder of the test's own."""
    monkeypatch.setenv("TRAINER_QUEUE_URL", f"sqlite:///{tmp_path / 'queue.db'}")
    monkeypatch.setenv("TRAINER_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(queue_module, "_default", None)
    return queue_module.default_queue()


def _wav(tmp_path, seconds=0.5) -> bytes:
    return write_wav(tmp_path / f"up-{seconds}.wav", seconds=seconds).read_bytes()


def test_api_calls_upload_registers_and_queues_once(seeded, queue, tmp_path):
    audio = _wav(tmp_path)
    params = {"id": "up-1", "agent": "Sam Lee", "customer_email": "Dana@Example.com"}
    first = seeded.client.post(
        "/api/v1/calls", content=audio, params=params, headers=seeded.as_role("admin")
    )
    assert first.status_code == 202, first.text
    assert first.json() == {
        "conversation": "up-1",
        "action": "created",
        "queued": True,
        "status": "queued",
    }
    assert queue.huey.pending_count() == 1
    task = queue.huey.dequeue()
    assert task.name == "trainer.transcribe" and task.args[0] == "up-1"
    again = seeded.client.post(
        "/api/v1/calls", content=audio, params=params, headers=seeded.as_role("admin")
    )
    assert again.status_code == 200 and again.json()["action"] == "unchanged"
    assert queue.huey.pending_count() == 0  # the same audio is not transcribed twice
    kept = list((tmp_path / "uploads" / "calls").glob("*.wav"))
    assert len(kept) == 1 and kept[0].read_bytes() == audio
    with session_scope(seeded.url) as session:
        record = find_conversation(session, "up-1")
        assert record.status == "queued" and record.channel == "call"
        assert record.customer_ref == "dana@example.com"
        assert record.agent is not None and record.agent.name == "Sam Lee"
        assert record.extra["sidecar"] == {"agent": "Sam Lee"}
        uploads = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "calls.upload")
        ).all()
    assert [e.after["action"] for e in uploads] == ["created", "unchanged"]


def test_api_calls_upload_refusals(seeded, queue, tmp_path, monkeypatch):
    admin = seeded.as_role("admin")
    audio = _wav(tmp_path)
    agent = seeded.client.post("/api/v1/calls", content=audio, headers=seeded.as_role("agent"))
    assert agent.status_code == 403
    nobody = seeded.client.post("/api/v1/calls", content=audio)
    assert nobody.status_code == 401
    text = seeded.client.post("/api/v1/calls", content=b"hello, not audio", headers=admin)
    assert text.status_code == 415
    bad_id = seeded.client.post(
        "/api/v1/calls", content=audio, params={"id": "../../etc/passwd"}, headers=admin
    )
    assert bad_id.status_code == 422
    seeded.client.post("/api/v1/calls", content=audio, params={"id": "taken"}, headers=admin)
    other = seeded.client.post(
        "/api/v1/calls", content=_wav(tmp_path, 0.7), params={"id": "taken"}, headers=admin
    )
    assert other.status_code == 409 and "already stored" in other.json()["detail"]
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "0.01")
    big = seeded.client.post("/api/v1/calls", content=_wav(tmp_path, 2.0), headers=admin)
    assert big.status_code == 413
    assert queue.huey.pending_count() == 1  # only "taken" was queued
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "25")
    unnamed = seeded.client.post("/api/v1/calls", content=_wav(tmp_path, 0.9), headers=admin)
    assert unnamed.status_code == 202  # without an id, the call is named by its content
    assert unnamed.json()["conversation"].startswith("call-")
