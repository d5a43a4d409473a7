"""read_file / find_files: format by content, folder walks, unrecognized files, shipped chats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.errors import IngestError
from trainer.ingest import UnrecognizedFormat, find_files, read_bytes, read_file
from trainer.ingest.speakers import ENV_VAR

ROOT = Path(__file__).resolve().parents[2]
CHAT = {"id": "c-1", "turns": [{"speaker": "agent", "text": "Hi"}]}
CONTENTS = {
    "canonical_json": json.dumps(CHAT),
    "abcd_json": json.dumps([{"convo_id": 1, "original": [["agent", "Hi"]]}]),
    "csv_messages": "conversation_id,speaker,text\nc-1,agent,Hi\n",
    "plain_text": "Agent: Hi\nCustomer: Hello\n",
}


@pytest.fixture(autouse=True)
def _no_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.mark.parametrize("format_name", sorted(CONTENTS))
@pytest.mark.parametrize("suffix", [".json", ".csv", ".txt", ""])
def test_ingest_files_format_is_picked_by_content(
    tmp_path: Path, format_name: str, suffix: str
) -> None:
    path = tmp_path / f"upload{suffix}"
    path.write_text(CONTENTS[format_name], encoding="utf-8")
    read = read_file(path)
    assert read.format == format_name
    assert read.path == path
    assert all(c.source == str(path) for c in read.conversations)


def test_ingest_files_read_bytes_for_uploads() -> None:
    read = read_bytes("upload.csv", CONTENTS["csv_messages"].encode())
    assert read.format == "csv_messages"
    assert read.conversations[0].source == "upload.csv"


def test_ingest_files_format_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(CONTENTS["plain_text"])
    assert read_file(path, format="plain_text").format == "plain_text"
    with pytest.raises(IngestError, match="unknown format 'yaml'"):
        read_file(path, format="yaml")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("labels.csv", "id,empathy,clarity,resolution\nc-001,good,good,poor\n"),
        ("README.md", "# Chats\n\nThese are sample chats.\n"),
        ("package.json", '{"name": "x", "version": "1.0"}'),
        ("empty.json", "  \n"),
        ("list.json", "[1, 2, 3]"),
        ("notes.txt", "Buy milk.\nCall the bank at 10:30.\n"),
    ],
)
def test_ingest_files_unrecognized_files(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UnrecognizedFormat) as info:
        read_file(path)
    assert info.value.where == str(path)
    assert info.value.code == "E200"


def test_ingest_files_binary_file_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00")
    with pytest.raises(UnrecognizedFormat, match="not a text file") as info:
        read_file(path)
    assert str(path) in str(info.value)


def test_ingest_files_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file") as info:
        read_file(tmp_path / "nope.json")
    assert not isinstance(info.value, UnrecognizedFormat)


def test_ingest_files_find_files_walks_folders(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["b/2.json", "b/1.csv", "a.txt", ".hidden.json", ".git/config", "z.json"]:
        (tmp_path / name).write_text("x")
    named = tmp_path / "z.json"
    missing = tmp_path / "missing.json"
    found = find_files([tmp_path, named, missing])
    assert found == [
        (tmp_path / "a.txt", False),
        (tmp_path / "b" / "1.csv", False),
        (tmp_path / "b" / "2.json", False),
        (named, True),
        (missing, True),
    ]


def test_ingest_files_find_files_named_file_is_direct(tmp_path: Path) -> None:
    hidden = tmp_path / ".chat.json"
    hidden.write_text("x")
    assert find_files([str(hidden)]) == [(hidden, True)]


def _shipped(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.json"))


def test_ingest_files_shipped_recordings_all_read() -> None:
    paths = _shipped("recordings/chats")
    assert len(paths) == 38
    ids = set()
    for path in paths:
        read = read_file(path)
        assert read.format == "canonical_json"
        (conversation,) = read.conversations
        assert conversation.turns and conversation.agent and conversation.customer
        ids.add(conversation.external_id)
    assert len(ids) == 38


def test_ingest_files_holdout_chats_all_read() -> None:
    paths = _shipped("tests/fixtures/holdout_chats")
    assert len(paths) == 12
    for path in paths:
        assert read_file(path).conversations[0].external_id == path.name[:5]


@pytest.mark.parametrize("folder", ["recordings/chats", "tests/fixtures/holdout_chats"])
def test_ingest_files_labels_csv_is_unrecognized(folder: str) -> None:
    found = dict(find_files([ROOT / folder]))
    labels = ROOT / folder / "labels.csv"
    assert found[labels] is False
    with pytest.raises(UnrecognizedFormat):
        read_file(labels)
