"""The reader registry and Sample: content sniffing, plugin registration, text decoding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from trainer.conversation import Conversation, Turn
from trainer.errors import IngestError
from trainer.ingest import UnrecognizedFormat, read_file, registry
from trainer.ingest.sample import Sample


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> dict:
    """A copy of the registry, so test readers vanish after the test."""
    registry.discover()
    copy = dict(registry._READERS)
    monkeypatch.setattr(registry, "_READERS", copy)
    return copy


def test_ingest_registry_has_every_format_in_priority_order() -> None:
    names = [r.name for r in registry.readers()]
    assert set(names) >= {"canonical_json", "csv_messages", "plain_text", "abcd_json"}
    assert names.index("abcd_json") < names.index("canonical_json")
    assert names[-1] == "plain_text"  # the loosest sniff goes last
    assert all(r.description for r in registry.readers())


def test_ingest_registry_decorated_class_is_picked_by_content(
    isolated_registry: dict, tmp_path: Path
) -> None:
    @registry.reader("shouting", priority=100)
    class Shouting:
        """Test format: a file whose text starts with SHOUT."""

        def sniff(self, sample: Sample) -> bool:
            return sample.text.startswith("SHOUT")

        def read(self, sample: Sample, aliases) -> list[Conversation]:
            return [Conversation("loud", [Turn("agent", sample.text)])]

    assert registry.get_reader("shouting").description.startswith("Test format")
    path = tmp_path / "x.json"
    path.write_text("SHOUT hello")
    read = read_file(path)
    assert read.format == "shouting"
    assert read.conversations[0].metadata["format"] == "shouting"


def test_ingest_registry_function_reader_with_sniff(
    isolated_registry: dict, tmp_path: Path
) -> None:
    @registry.reader("whisper", priority=100, sniff=lambda s: s.text.startswith("psst"))
    def read_whisper(sample: Sample, aliases) -> list[Conversation]:
        return [Conversation("quiet", [Turn("customer", "psst")])]

    path = tmp_path / "w.txt"
    path.write_text("psst")
    assert read_file(path).format == "whisper"


def test_ingest_registry_duplicate_name_is_refused(isolated_registry: dict) -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @registry.reader("csv_messages")
        class Other:
            def sniff(self, sample: Sample) -> bool:
                return False

            def read(self, sample: Sample, aliases) -> list[Conversation]:
                return []


def test_ingest_registry_reader_error_without_where_names_the_file(
    isolated_registry: dict, tmp_path: Path
) -> None:
    @registry.reader("careless", priority=100, sniff=lambda s: s.text.startswith("oops"))
    def read_careless(sample: Sample, aliases) -> list[Conversation]:
        raise IngestError("something broke")

    path = tmp_path / "careless.txt"
    path.write_text("oops")
    with pytest.raises(IngestError) as info:
        read_file(path)
    assert info.value.where == str(path)


def test_ingest_registry_reader_returning_bad_conversations_is_caught(
    isolated_registry: dict, tmp_path: Path
) -> None:
    @registry.reader("sloppy", priority=100, sniff=lambda s: s.text.startswith("sloppy"))
    def read_sloppy(sample: Sample, aliases) -> list[Conversation]:
        return [Conversation("a", [Turn("agent", "   ")])]

    path = tmp_path / "sloppy.txt"
    path.write_text("sloppy")
    with pytest.raises(IngestError, match="empty text") as info:
        read_file(path)
    assert str(path) in str(info.value) and "turn 0" in str(info.value)


def test_ingest_registry_sample_decodes_utf8_with_bom() -> None:
    sample = Sample.from_bytes("a.txt", codecs.BOM_UTF8 + "Agent: héllo".encode())
    assert sample.text == "Agent: héllo"


def test_ingest_registry_sample_decodes_utf16_with_bom() -> None:
    sample = Sample.from_bytes("a.txt", "Agent: hi".encode("utf-16"))
    assert sample.text == "Agent: hi"


def test_ingest_registry_sample_binary_is_not_text() -> None:
    with pytest.raises(IngestError, match="not a text file") as info:
        Sample.from_bytes("pic.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert isinstance(info.value, UnrecognizedFormat)
    assert info.value.where == "pic.png"


def test_ingest_registry_sample_latin1_is_not_text_and_names_the_line() -> None:
    with pytest.raises(IngestError, match="not UTF-8.*line 2"):
        Sample.from_bytes("old.txt", "Agent: hi\nCustomer: caf\xe9".encode("latin-1"))


def test_ingest_registry_sample_json_is_parsed_lazily() -> None:
    sample = Sample.from_bytes("a.txt", b'{"turns": []}')
    assert sample.json == {"turns": []}
    assert sample.json_error is None
    text = Sample.from_bytes("b.txt", b"Agent: hi")
    assert text.json is None and text.json_error is not None
    assert not text.looks_like_json


def test_ingest_registry_stamp_is_not_mistaken_for_json() -> None:
    assert not Sample.from_bytes("a.txt", b"[00:01] Agent: hi").looks_like_json
    assert Sample.from_bytes("a.txt", b'[{"turns": ').looks_like_json
