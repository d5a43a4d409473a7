"""ABCD-style JSON: convo_id, scenario and `original` [[speaker, text], ...] entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.errors import IngestError
from trainer.ingest import read_file
from trainer.ingest.abcd_json import AbcdJson
from trainer.ingest.canonical_json import CanonicalJson
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import ENV_VAR


def convo(convo_id: int = 101, original: list | None = None, name: str = "ana de la cruz") -> dict:
    """A tiny conversation in the ABCD dataset's shape (made up here, not copied from it)."""
    return {
        "convo_id": convo_id,
        "scenario": {
            "personal": {"customer_name": name, "member_level": "gold"},
            "order": {"order_id": "123"},
            "flow": "shipping_issue",
            "subflow": "status_delivery_time",
        },
        "original": original
        if original is not None
        else [
            ["agent", "Hello, how can I help?"],
            ["customer", "Where is my parcel?"],
            ["action", "Account has been pulled up for Ana De La Cruz."],
            ["agent", "It arrives Friday."],
        ],
        "delexed": [{"speaker": "agent", "text": "hello", "turn_count": 1}],
    }


@pytest.fixture(autouse=True)
def _no_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write_json(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def error_for(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(path)
    return info.value


def test_ingest_abcd_json_reads_conversations(tmp_path: Path) -> None:
    read = read_file(write_json(tmp_path, "abcd.json", [convo(101), convo(102, name="bo li")]))
    assert read.format == "abcd_json"
    first, second = read.conversations
    assert (first.external_id, second.external_id) == ("abcd-101", "abcd-102")
    assert first.customer == "Ana De La Cruz" and second.customer == "Bo Li"
    assert first.agent is None and first.channel == "chat"
    assert [t.speaker for t in first.turns] == ["agent", "customer", "system", "agent"]
    assert first.turns[2].text == "Account has been pulled up for Ana De La Cruz."
    assert first.metadata["flow"] == "shipping_issue"
    assert first.metadata["subflow"] == "status_delivery_time"
    assert first.metadata["format"] == "abcd_json"


def test_ingest_abcd_json_single_object_and_dataset_splits(tmp_path: Path) -> None:
    (single,) = read_file(write_json(tmp_path, "one.txt", convo(5))).conversations
    assert single.external_id == "abcd-5"
    splits = {"train": [convo(1), convo(2)], "dev": [convo(3)], "test": []}
    conversations = read_file(write_json(tmp_path, "abcd_v1.1.json", splits)).conversations
    assert [(c.external_id, c.metadata["split"]) for c in conversations] == [
        ("abcd-1", "train"),
        ("abcd-2", "train"),
        ("abcd-3", "dev"),
    ]


def test_ingest_abcd_json_wins_over_canonical_json() -> None:
    sample = Sample.from_bytes("abcd.json", json.dumps([convo()]).encode())
    assert AbcdJson().sniff(sample)
    assert not CanonicalJson().sniff(sample)


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ([convo(1), convo(2, original=[])], "[1].original", "empty conversation (no turns)"),
        ([convo(original=[["agent", "Hi"], ["customer", "  "]])], "[0].original.1", "empty text"),
        ([convo(original=[["boss", "Hi"]])], "[0].original.0", "unknown speaker 'boss'"),
        ([convo(original=[["agent"]])], "[0].original.0.1", "field required"),
        ([convo(7), convo(7)], "[1].convo_id", "duplicate conversation id 'abcd-7'"),
        (convo(original=[["agent", ""]]), "original.0", "empty text"),
        ({"train": [convo(1), convo(2, original=[])]}, "train.1.original", "empty conversation"),
    ],
)
def test_ingest_abcd_json_errors_name_file_and_field(
    tmp_path: Path, data: object, where: str, message: str
) -> None:
    path = write_json(tmp_path, "abcd.json", data)
    error = error_for(path)
    assert error.where == f"{path}: {where}"
    assert message in error.message
