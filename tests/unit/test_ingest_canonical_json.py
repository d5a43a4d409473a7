"""Trainer's canonical chat JSON: one object or a list, validated with field-path errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trainer.errors import IngestError
from trainer.ingest import SpeakerAliases, UnrecognizedFormat, read_file
from trainer.ingest.canonical_json import CanonicalJson
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import ENV_VAR

CHAT = {
    "id": "c-001",
    "channel": "chat",
    "started_at": "2026-03-01T10:00:00Z",
    "agent": "Sam Lee",
    "customer": "Dana Ruiz",
    "turns": [
        {"speaker": "agent", "text": "Hi, this is Sam.", "start": 0.0, "end": 2.1},
        {"speaker": "customer", "text": "  I was charged twice.  ", "start": 2.5},
        {"speaker": "system", "text": "Chat transferred to Billing queue"},
    ],
}


@pytest.fixture(autouse=True)
def _no_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write_json(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def chat(**changes: object) -> dict:
    return {**json.loads(json.dumps(CHAT)), **changes}


def error_for(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(path)
    return info.value


def test_ingest_canonical_json_reads_one_conversation(tmp_path: Path) -> None:
    path = write_json(tmp_path, "chat.json", CHAT)
    read = read_file(path)
    assert read.format == "canonical_json"
    (conversation,) = read.conversations
    assert conversation.external_id == "c-001"
    assert conversation.channel == "chat"
    assert conversation.agent == "Sam Lee" and conversation.customer == "Dana Ruiz"
    assert conversation.started_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "system"]
    assert conversation.turns[1].text == "I was charged twice."
    assert (conversation.turns[0].start, conversation.turns[0].end) == (0.0, 2.1)
    assert (conversation.turns[1].start, conversation.turns[1].end) == (2.5, None)
    assert conversation.turns[2].start is None
    assert conversation.source == str(path)
    assert conversation.metadata["format"] == "canonical_json"


def test_ingest_canonical_json_minimal_uses_file_stem_as_id(tmp_path: Path) -> None:
    path = write_json(tmp_path, "short-chat.json", {"turns": [{"speaker": "rep", "text": "Hi"}]})
    (conversation,) = read_file(path).conversations
    assert conversation.external_id == "short-chat"
    assert conversation.channel == "chat"
    assert conversation.turns[0].speaker == "agent"
    assert conversation.agent is None and conversation.started_at is None


def test_ingest_canonical_json_reads_a_list(tmp_path: Path) -> None:
    second = chat(id=None, channel="Call")
    del second["id"]
    path = write_json(tmp_path, "batch.json", [CHAT, second, chat(id=7)])
    conversations = read_file(path).conversations
    assert [c.external_id for c in conversations] == ["c-001", "batch-1", "7"]
    assert conversations[1].channel == "call"


def test_ingest_canonical_json_speaker_names_and_aliases(tmp_path: Path) -> None:
    turns = [
        {"speaker": "Sam", "text": "Hi"},
        {"speaker": "Dana Ruiz", "text": "Hello"},
        {"speaker": "Client", "text": "Still me"},
        {"speaker": "Jo", "text": "I'm the supervisor"},
    ]
    path = write_json(tmp_path, "names.json", chat(turns=turns))
    conversation = read_file(path, SpeakerAliases.with_extra({"Jo": "agent"})).conversations[0]
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "customer", "agent"]


def test_ingest_canonical_json_read_by_content_not_extension(tmp_path: Path) -> None:
    path = write_json(tmp_path, "export.txt", CHAT)
    assert read_file(path).format == "canonical_json"


def test_ingest_canonical_json_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        '{\n  "id": "c-1",\n  "turns": [\n    {"speaker": "agent" "text": "Hi"}\n  ]\n}'
    )
    error = error_for(path)
    assert not isinstance(error, UnrecognizedFormat)  # a broken chat fails, it is not skipped
    assert error.where == f"{path}:line 4"
    assert "malformed JSON" in error.message


@pytest.mark.parametrize(
    ("turns_or_changes", "where", "message"),
    [
        ({"turns": []}, "turns", "empty conversation (no turns)"),
        (
            {"turns": [{"speaker": "agent", "text": "Hi"}, {"speaker": "customer", "text": " "}]},
            "turns.1.text",
            "empty text",
        ),
        ({"turns": [{"speaker": "agent"}]}, "turns.0.text", "field required"),
        ({"channel": "sms"}, "channel", "unknown channel 'sms'"),
        (
            {"turns": [{"speaker": "agent", "text": "Hi", "start": 3, "end": 1}]},
            "turns.0.end",
            "end 1 is before start 3",
        ),
        (
            {"turns": [{"speaker": "agent", "text": "Hi", "start": -1}]},
            "turns.0.start",
            "greater than or equal to 0",
        ),
        ({"turns": [{"speaker": "Bob", "text": "Hi"}]}, "turns.0.speaker", "unknown speaker 'Bob'"),
        (
            {"turns": [{"speaker": "agent", "text": "Hi", "strat": 1}]},
            "turns.0.strat",
            "unknown field 'strat'",
        ),
        ({"started_at": "yesterday"}, "started_at", "datetime"),
        ({"id": ""}, "id", "empty id"),
    ],
)
def test_ingest_canonical_json_errors_name_file_and_field(
    tmp_path: Path, turns_or_changes: dict, where: str, message: str
) -> None:
    path = write_json(tmp_path, "bad.json", chat(**turns_or_changes))
    error = error_for(path)
    assert error.where == f"{path}: {where}"
    assert message in error.message
    assert str(path) in str(error)


def test_ingest_canonical_json_list_errors_have_index_paths(tmp_path: Path) -> None:
    bad = chat(turns=[{"speaker": "agent", "text": "Hi"}] * 3 + [{"speaker": "agent", "text": ""}])
    path = write_json(tmp_path, "batch.json", [CHAT, chat(id="c-002"), bad])
    error = error_for(path)
    assert error.where == f"{path}: [2].turns.3.text"
    assert "empty text" in error.message


def test_ingest_canonical_json_list_speaker_error_has_index_path(tmp_path: Path) -> None:
    bad = chat(id="c-002", turns=[{"speaker": "Bob", "text": "Hi"}])
    error = error_for(write_json(tmp_path, "batch.json", [CHAT, bad]))
    assert error.where.endswith("batch.json: [1].turns.0.speaker")


def test_ingest_canonical_json_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    path = write_json(tmp_path, "batch.json", [CHAT, chat(id="c-002"), CHAT])
    error = error_for(path)
    assert error.where == f"{path}: [2].id"
    assert "duplicate conversation id 'c-001'" in error.message


def test_ingest_canonical_json_sniff() -> None:
    sniff = CanonicalJson().sniff
    assert sniff(Sample.from_bytes("a", json.dumps(CHAT).encode()))
    assert sniff(Sample.from_bytes("a", json.dumps([{"x": 1}, CHAT]).encode()))
    assert not sniff(Sample.from_bytes("a", b'{"name": "package"}'))
    assert not sniff(Sample.from_bytes("a", b"[1, 2]"))
    assert not sniff(Sample.from_bytes("a", b"Agent: hi"))
