"""Size limits: turns per conversation, characters per turn, file size. Each refusal is coded,
names the file and the environment variable that raises the limit; a conversation at the limit
is read (and, in a batch, stored whole)."""

from __future__ import annotations

import json
import time

import pytest

from tests.fuzz.harness import attempt
from trainer.errors import IngestError
from trainer.ingest import limits, read_bytes, read_file


def _conversation(turns: int, text: str = "hello there", cid: str = "big") -> bytes:
    speakers = ("agent", "customer")
    data = {"id": cid, "turns": [{"speaker": speakers[i % 2], "text": text} for i in range(turns)]}
    return json.dumps(data).encode()


def test_limits_twenty_thousand_turns_are_read():
    assert limits.max_turns() == 20_000
    raw = _conversation(20_000, "ok")
    outcome = attempt(lambda: read_bytes("big.json", raw), "big.json", seconds=60)
    assert len(outcome.conversations[0].turns) == 20_000


def test_limits_one_turn_too_many_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_TURNS", "50")
    assert len(read_bytes("ok.json", _conversation(50)).conversations[0].turns) == 50
    error = attempt(lambda: read_bytes("many.json", _conversation(51)), "many.json")
    assert isinstance(error, IngestError)
    assert "51 turns, over the limit of 50" in error.message
    assert "TRAINER_MAX_TURNS" in error.format()


@pytest.mark.parametrize("kind", ["json", "csv", "txt"])
def test_limits_a_ten_megabyte_turn_is_refused_naming_the_limit(kind):
    text = "word " * 2_000_000  # 10 MB
    if kind == "json":
        raw = _conversation(2, text)
    elif kind == "csv":
        raw = f"conversation_id,speaker,text\nc1,agent,Hi\nc1,customer,{text}\n".encode()
    else:
        raw = f"Agent: Hi\nCustomer: {text}\n".encode()
    name = f"huge.{kind}"
    error = attempt(lambda: read_bytes(name, raw), name, seconds=60)
    assert isinstance(error, IngestError), f"a 10 MB turn was read from {name}"
    assert "1,000,000" in error.message
    assert "TRAINER_MAX_TURN_CHARS" in error.format()


def test_limits_a_turn_at_the_character_limit_is_read(monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_TURN_CHARS", "200000")
    text = "x" * 200_000
    for name, raw in (
        ("at.json", _conversation(1, text)),
        ("at.csv", f"conversation_id,speaker,text\nc1,agent,{text}\n".encode()),
    ):
        outcome = attempt(lambda r=raw, n=name: read_bytes(n, r), name)
        assert len(outcome.conversations[0].turns[0].text) == 200_000
    over = attempt(lambda: read_bytes("over.json", _conversation(1, text + "x")), "over.json")
    assert isinstance(over, IngestError)


def test_limits_a_file_over_the_upload_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "1")
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # 4 GB, sparse: reading it would take minutes and memory
        handle.truncate(4 * 1024**3)
    started = time.perf_counter()
    error = attempt(lambda: read_file(path), str(path))
    assert time.perf_counter() - started < 5
    assert isinstance(error, IngestError)
    assert "over the 1 MB limit" in error.message and "TRAINER_MAX_UPLOAD_MB" in error.format()
    error = attempt(lambda: read_bytes("upload.json", b" " * (1024**2 + 1)), "upload.json")
    assert isinstance(error, IngestError) and "TRAINER_MAX_UPLOAD_MB" in error.format()


def test_limits_are_one_setting_for_files_and_the_api(monkeypatch):
    from trainer.api.limits import max_upload_bytes

    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "3")
    assert max_upload_bytes() == limits.max_upload_bytes() == 3 * 1024 * 1024
    for nonsense in ("", "0", "-1", "inf", "nan", "many"):
        monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", nonsense)
        monkeypatch.setenv("TRAINER_MAX_TURNS", nonsense)
        monkeypatch.setenv("TRAINER_MAX_TURN_CHARS", nonsense)
        assert limits.max_upload_bytes() == 25 * 1024 * 1024
        assert limits.max_turns() == 20_000
        assert limits.max_turn_chars() == 1_000_000


def test_limits_in_a_batch_the_conversation_at_the_limit_is_stored_whole(
    db_url, tmp_path, monkeypatch
):
    from sqlalchemy import func, select

    from trainer.access import Actor
    from trainer.db.models import ConversationRecord, TurnRecord
    from trainer.db.session import session_scope
    from trainer.services.ingestion import ingest_paths

    monkeypatch.setenv("TRAINER_MAX_TURNS", "120")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "at.json").write_bytes(_conversation(120, cid="at-limit"))
    (folder / "over.json").write_bytes(_conversation(121, cid="over-limit"))
    summary = ingest_paths(Actor.local_admin(), [folder])
    assert summary.ingested == ["at-limit"]
    assert [name.rsplit("/", 1)[-1] for name, _ in summary.failed] == ["over.json"]
    assert "[E200]" in summary.failed[0][1] and "TRAINER_MAX_TURNS" in summary.failed[0][1]
    with session_scope(db_url) as session:
        ids = session.scalars(select(ConversationRecord.external_id)).all()
        turns = session.scalar(select(func.count()).select_from(TurnRecord))
    assert ids == ["at-limit"] and turns == 120
