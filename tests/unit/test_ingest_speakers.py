"""SpeakerAliases: default labels, the conversation's own names, extra and environment aliases."""

from __future__ import annotations

import pytest

from trainer.errors import IngestError
from trainer.ingest.speakers import ENV_VAR, SpeakerAliases, parse_aliases


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("agent", "agent"),
        ("Rep", "agent"),
        ("  REPRESENTATIVE ", "agent"),
        ("Customer Service", "agent"),
        ("support   agent", "agent"),
        ("CSR", "agent"),
        ("client", "customer"),
        ("Caller", "customer"),
        ("Patient", "customer"),
        ("system", "system"),
        ("Action", "system"),
        ("bot", "system"),
        ("note", "system"),
    ],
)
def test_ingest_speakers_default_aliases(label: str, role: str) -> None:
    assert SpeakerAliases().resolve(label) == role


def test_ingest_speakers_conversation_names_map_full_and_first() -> None:
    aliases = SpeakerAliases()
    names = {"agent_name": "Sam Lee", "customer_name": "Dana Ruiz"}
    assert aliases.resolve("Sam Lee", **names) == "agent"
    assert aliases.resolve("sam", **names) == "agent"
    assert aliases.resolve("Dana", **names) == "customer"
    assert aliases.resolve(" DANA RUIZ ", **names) == "customer"


def test_ingest_speakers_shared_first_name_is_ambiguous_but_full_names_work() -> None:
    aliases = SpeakerAliases()
    names = {"agent_name": "Sam Lee", "customer_name": "Sam Ortiz"}
    assert aliases.resolve("Sam Ortiz", **names) == "customer"
    assert aliases.lookup("Sam", **names) is None
    with pytest.raises(IngestError, match="matches both"):
        aliases.resolve("Sam", **names)


def test_ingest_speakers_unknown_label_suggests_an_alias() -> None:
    with pytest.raises(IngestError) as info:
        SpeakerAliases().resolve("Bob")
    assert info.value.where is None  # the reader adds the file and line
    assert "unknown speaker 'Bob'" in info.value.message
    assert "--alias 'Bob=agent'" in info.value.fix


def test_ingest_speakers_empty_label_is_an_error() -> None:
    with pytest.raises(IngestError, match="empty speaker"):
        SpeakerAliases().resolve("  ")


def test_ingest_speakers_with_extra_on_class_and_instance() -> None:
    from_class = SpeakerAliases.with_extra({"Jo": "agent"})
    assert from_class.resolve("jo") == "agent"
    assert from_class.resolve("client") == "customer"  # defaults kept
    chained = from_class.with_extra({"Bob": "Customer", "client": "agent"})
    assert chained.resolve("jo") == "agent"
    assert chained.resolve("bob") == "customer"
    assert chained.resolve("client") == "agent"  # an extra overrides a default
    assert SpeakerAliases().resolve("client") == "customer"  # the original is untouched


def test_ingest_speakers_with_extra_rejects_unknown_role() -> None:
    with pytest.raises(IngestError, match="unknown role 'boss'") as info:
        SpeakerAliases().with_extra({"Jo": "boss"}, where="--alias")
    assert info.value.where == "--alias"


def test_ingest_speakers_from_env_reads_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "jo=agent, Big Bob = customer,,")
    aliases = SpeakerAliases.from_env()
    assert aliases.resolve("Jo") == "agent"
    assert aliases.resolve("big bob") == "customer"
    assert aliases.resolve("rep") == "agent"


def test_ingest_speakers_from_env_without_variable_is_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert SpeakerAliases.from_env().as_dict() == SpeakerAliases().as_dict()


def test_ingest_speakers_bad_env_entry_names_the_variable() -> None:
    with pytest.raises(IngestError) as info:
        SpeakerAliases.from_env({ENV_VAR: "rep=agent,oops"})
    assert info.value.where == ENV_VAR
    assert "oops" in info.value.message


def test_ingest_speakers_parse_aliases() -> None:
    assert parse_aliases("rep=agent,client=customer") == {"rep": "agent", "client": "customer"}
    assert parse_aliases("") == {}
