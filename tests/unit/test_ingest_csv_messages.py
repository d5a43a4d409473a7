"""CSV chat exports: one message per row, grouped into conversations, errors by line number."""

from __future__ import annotations

import codecs
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trainer.errors import IngestError
from trainer.ingest import SpeakerAliases, UnrecognizedFormat, read_file
from trainer.ingest.speakers import ENV_VAR

CSV = """\
conversation_id,timestamp,speaker,text,agent,customer,channel
c-1,2026-03-01T10:00:00Z,agent,"Hi, how can I help?",Sam Lee,Dana Ruiz,chat
c-2,2026-03-01T11:00:00Z,client,Hello,,,
c-1,2026-03-01T10:00:05Z,Dana,"I was charged
twice",,,
c-1,,Sam,Sorry about that!,,,

c-2,2026-03-01T11:00:30Z,rep,Hi there,Alex Kim,,call
"""


@pytest.fixture(autouse=True)
def _no_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(path: Path, aliases: SpeakerAliases | None = None) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(path, aliases)
    return info.value


def test_ingest_csv_messages_groups_rows_by_conversation(tmp_path: Path) -> None:
    read = read_file(write(tmp_path, "chats.csv", CSV))
    assert read.format == "csv_messages"
    first, second = read.conversations
    assert [first.external_id, second.external_id] == ["c-1", "c-2"]
    assert [t.speaker for t in first.turns] == ["agent", "customer", "agent"]
    assert first.turns[1].text == "I was charged\ntwice"
    assert (first.agent, first.customer, first.channel) == ("Sam Lee", "Dana Ruiz", "chat")
    assert (second.agent, second.customer, second.channel) == ("Alex Kim", None, "call")
    assert [t.speaker for t in second.turns] == ["customer", "agent"]


def test_ingest_csv_messages_times_are_seconds_from_first_timestamp(tmp_path: Path) -> None:
    first, second = read_file(write(tmp_path, "chats.csv", CSV)).conversations
    assert first.started_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert [t.start for t in first.turns] == [0.0, 5.0, None]
    assert [t.start for t in second.turns] == [0.0, 30.0]


def test_ingest_csv_messages_optional_columns_and_header_spelling(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        """\
        \ufeff Conversation ID ,SPEAKER, Text
        x-9,Caller,Hi
        x-9,Support Agent,Hello
        """,
    )
    (conversation,) = read_file(path).conversations
    assert conversation.external_id == "x-9"
    assert conversation.started_at is None and conversation.channel == "chat"
    assert [(t.speaker, t.start) for t in conversation.turns] == [
        ("customer", None),
        ("agent", None),
    ]


def test_ingest_csv_messages_semicolon_export_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = "conversation_id;speaker;text\r\nc-1;agent;Hi, there\r\nc-1;customer;Hello\r\n"
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    (conversation,) = read_file(path).conversations
    assert [t.text for t in conversation.turns] == ["Hi, there", "Hello"]


def test_ingest_csv_messages_read_by_content_not_extension(tmp_path: Path) -> None:
    assert read_file(write(tmp_path, "chats.txt", CSV)).format == "csv_messages"


def test_ingest_csv_messages_aliases_from_extra(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "conversation_id,speaker,text\nc-1,Jo,Hi\nc-1,Bob,Hey\n")
    aliases = SpeakerAliases.with_extra({"Jo": "agent", "bob": "customer"})
    (conversation,) = read_file(path, aliases).conversations
    assert [t.speaker for t in conversation.turns] == ["agent", "customer"]


def test_ingest_csv_messages_unknown_speaker_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "chats.csv", CSV.replace("c-1,,Sam,", "c-1,,Bob,"))
    error = error_for(path)
    # Line 6: the multi-line message on lines 4-5 counts both lines.
    assert str(error).startswith(f"[E200] {path}:line 6: column 'speaker': unknown speaker 'Bob'")
    assert "--alias 'Bob=agent'" in str(error)


def test_ingest_csv_messages_missing_columns_names_found_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "chats.csv", "conversation_id,time,who,text\nc-1,,agent,Hi\n")
    error = error_for(path)
    assert error.where == f"{path}:line 1"
    assert "missing column speaker" in error.message
    assert "found columns: conversation_id, time, who, text" in error.message
    assert not isinstance(error, UnrecognizedFormat)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("c-1,2026-03-01T10:00:00Z,agent,   ", "column 'text': empty text"),
        (",2026-03-01T10:00:00Z,agent,Hi", "column 'conversation_id': empty"),
        ("c-1,10 o'clock,agent,Hi", "column 'timestamp': not an ISO-8601 date-time"),
        ("c-1,2026-03-01T10:00:00Z,agent,Hi,sms", "column 'channel': unknown channel 'sms'"),
        ("c-1,2026-03-01T10:00:00Z,agent,Hi,chat,extra", "6 fields but the header has 5"),
        ("c-1,2026-03-01T09:00:00Z,agent,Hi", "column 'timestamp': 2026-03-01T09:00:00+00:00 is"),
        ("c-1,2026-03-01T10:00:09,agent,Hi", "with and without a time zone"),
    ],
)
def test_ingest_csv_messages_row_errors_name_the_line(
    tmp_path: Path, row: str, message: str
) -> None:
    header = "conversation_id,timestamp,speaker,text,channel"
    text = f"{header}\nc-1,2026-03-01T10:00:00Z,agent,Hi\n{row}\n"
    path = write(tmp_path, "chats.csv", text)
    error = error_for(path)
    assert error.where == f"{path}:line 3"
    assert message in error.message


def test_ingest_csv_messages_conflicting_agent_names_both_lines(tmp_path: Path) -> None:
    text = "conversation_id,speaker,text,agent\nc-1,agent,Hi,Sam\nc-1,agent,Yo,Alex\n"
    error = error_for(write(tmp_path, "chats.csv", text))
    assert error.where.endswith("chats.csv:line 3")
    assert "'Alex' differs from 'Sam' on line 2" in error.message


def test_ingest_csv_messages_header_only_is_an_error(tmp_path: Path) -> None:
    error = error_for(write(tmp_path, "empty.csv", "conversation_id,speaker,text\n"))
    assert "no messages" in error.message and error.where.endswith("empty.csv")


def test_ingest_csv_messages_labels_csv_is_not_a_chat(tmp_path: Path) -> None:
    path = write(tmp_path, "labels.csv", "id,empathy,clarity\nc-1,good,poor\n")
    with pytest.raises(UnrecognizedFormat):
        read_file(path)
