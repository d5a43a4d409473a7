"""Plain-text transcripts: `Label: text` lines, `[mm:ss]` stamps, `# key:` header lines."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trainer.errors import IngestError
from trainer.ingest import SpeakerAliases, UnrecognizedFormat, read_file
from trainer.ingest.speakers import ENV_VAR

TRANSCRIPT = """\
# Call with Dana about a double charge
# id: call-7
# agent: Sam Lee
# customer: Dana Ruiz
# channel: call
# started_at: 2026-03-01T10:00:00Z

[00:00] Agent: Hi, this is Sam. How can I help?
[00:04] Dana: I was charged twice.
  It happened on the 1st.
  Reason: the gym billed me again.

[01:02] Sam: Let me look into that.
[1:01:03.5] Customer: Thanks!
"""


@pytest.fixture(autouse=True)
def _no_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(path)
    return info.value


def test_ingest_plain_text_reads_header_turns_and_stamps(tmp_path: Path) -> None:
    read = read_file(write(tmp_path, "call.txt", TRANSCRIPT))
    assert read.format == "plain_text"
    (conversation,) = read.conversations
    assert conversation.external_id == "call-7"
    assert (conversation.agent, conversation.customer) == ("Sam Lee", "Dana Ruiz")
    assert conversation.channel == "call"
    assert conversation.started_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "agent", "customer"]
    assert conversation.turns[1].text == (
        "I was charged twice.\nIt happened on the 1st.\nReason: the gym billed me again."
    )
    assert [(t.start, t.end) for t in conversation.turns] == [
        (0.0, 4.0),
        (4.0, 62.0),
        (62.0, 3663.5),
        (3663.5, None),
    ]


def test_ingest_plain_text_without_header_or_stamps(tmp_path: Path) -> None:
    text = "Rep: Hello!\nClient: Hi, my order is late.\nSystem: Chat closed\n"
    (conversation,) = read_file(write(tmp_path, "late-order.log", text)).conversations
    assert conversation.external_id == "late-order"
    assert conversation.channel == "chat" and conversation.agent is None
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "system"]
    assert all(t.start is None and t.end is None for t in conversation.turns)


def test_ingest_plain_text_read_by_content_not_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.json", "Agent: Hello\nCustomer: Hi\n")
    assert read_file(path).format == "plain_text"


def test_ingest_plain_text_extra_aliases_make_names_readable(tmp_path: Path) -> None:
    path = write(tmp_path, "names.txt", "Jo: Hello\nBob: Hi\n")
    with pytest.raises(UnrecognizedFormat):
        read_file(path)
    aliases = SpeakerAliases.with_extra({"Jo": "agent", "Bob": "customer"})
    (conversation,) = read_file(path, aliases).conversations
    assert [t.speaker for t in conversation.turns] == ["agent", "customer"]


def test_ingest_plain_text_env_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "jo=agent")
    (conversation,) = read_file(write(tmp_path, "t.txt", "Jo: Hello\nGuest: Hi\n")).conversations
    assert [t.speaker for t in conversation.turns] == ["agent", "customer"]


def test_ingest_plain_text_unknown_label_first_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "# id: x\n\nBob: Hello\nCustomer: Hi\n")
    error = error_for(path)
    assert error.where == f"{path}:line 3"
    assert "unknown speaker 'Bob'" in error.message


def test_ingest_plain_text_unknown_label_after_stamp_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "[00:01] Agent: Hello\n[00:03] Bob: Hi\n")
    error = error_for(path)
    assert error.where == f"{path}:line 2"
    assert "unknown speaker 'Bob'" in error.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Agent: Hello\nCustomer:\nAgent: Are you there?\n", 2, "empty text"),
        ("Agent: Hello\n[00:05] Customer: Hi\n[00:02] Agent: Hm\n", 3, "goes backwards"),
        ("Agent: Hello\n[00:05] just text\n", 2, "without a speaker label"),
        ("Agent: Hello\n[00:75] Customer: Hi\n", 2, "not a time stamp"),
        ("# channel: fax\nAgent: Hello\n", 1, "channel: unknown channel 'fax'"),
        ("# started_at: soon\nAgent: Hello\n", 1, "started_at: not an ISO-8601"),
    ],
)
def test_ingest_plain_text_errors_name_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, "t.txt", text)
    error = error_for(path)
    assert error.where == f"{path}:line {line}"
    assert message in error.message


def test_ingest_plain_text_prose_is_not_a_transcript(tmp_path: Path) -> None:
    readme = "# Recordings\n\nSample chats.\n\nNote: agents are fictional.\n"
    with pytest.raises(UnrecognizedFormat):
        read_file(write(tmp_path, "README.md", readme))
