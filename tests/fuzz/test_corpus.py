"""The hand-made broken files of tests/fuzz/corpus: each is refused with a coded error naming it
(or, for an `ok_` file, read); a folder of all of them plus good files stores the good ones and
nothing of the bad ones, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.fuzz.harness import CARD_PARTS, COUNTS, attempt
from trainer.errors import (
    AudioError,
    IngestError,
    PathError,
    PatternError,
    RubricError,
    ScenarioError,
)
from trainer.ingest import read_file

CORPUS = Path(__file__).parent / "corpus"
CHAT = sorted((CORPUS / "chat").iterdir())
YAML = sorted((CORPUS / "yaml").iterdir())
AUDIO = sorted((CORPUS / "audio").iterdir())


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_corpus_holds_the_cases_the_issue_names():
    names = {p.name for p in CHAT + YAML + AUDIO}
    for expected in (
        "lone_surrogate.json",
        "nan_start.json",
        "ok_utf16_bom.txt",
        "ok_utf32_bom.txt",
        "deep_nesting.json",
        "alias_bomb.yaml",
        "deep_flow.yaml",
        "unsafe_python_tag.yaml",
        "rubric_weight_inf.yaml",
        "text_named.opus",
        "zero_wav.wav",
        "ok_lies_long.wav",
        "binary.csv",
        "ok_formula_cells.csv",
    ):
        assert expected in names
    assert len(names) >= 60


@pytest.mark.parametrize("path", CHAT, ids=_ids(CHAT))
def test_corpus_chat_file_is_read_or_refused_with_a_code(path):
    outcome = attempt(lambda: read_file(path), str(path), codes=(IngestError,))
    if path.name.startswith("ok_"):
        assert not isinstance(outcome, Exception), outcome
        for conversation in outcome.conversations:
            assert conversation.turns
            for turn in conversation.turns:
                turn.text.encode("utf-8")  # storable
    else:
        assert isinstance(outcome, IngestError), f"{path.name} was read: {outcome}"
        assert outcome.code.startswith("E2")


def test_corpus_errors_name_the_field_or_line():
    for name, where in (
        ("lone_surrogate.json", "turns.0.text"),
        ("nan_start.json", "turns.0.start"),
        ("infinity_end.json", "turns.0.end"),
        ("nan_in_metadata.json", "metadata.score"),
        ("turns_is_card_string.json", ": turns"),
        ("csv_unclosed_quote.csv", ":line 2"),
        ("plain_bad_stamp.txt", ":line 1"),
    ):
        error = attempt(lambda n=name: read_file(CORPUS / "chat" / n), name, codes=(IngestError,))
        assert isinstance(error, IngestError) and where in error.where, (name, error)


def test_corpus_bad_field_with_a_card_number_is_described_not_quoted():
    error = read_file_error("turns_is_card_string.json")
    assert "got a string of 34 characters" in error.message
    for name in ("speaker_is_card.json", "channel_is_card.json", "started_at_is_card.json"):
        text = read_file_error(name).format()
        assert "a string of 19 characters" in text
        assert not any(part in text for part in CARD_PARTS), text


def read_file_error(name: str) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(CORPUS / "chat" / name)
    return info.value


YAML_LOADERS = {
    "rubric": RubricError,
    "scenario": ScenarioError,
    "path": PathError,
    "patterns": PatternError,
}


def _load(kind: str, path: Path, tmp_path: Path):
    if kind == "rubric":
        from trainer.scoring.rubric import load_rubric

        return load_rubric(path)
    if kind == "scenario":
        from trainer.roleplay.loader import load_scenario

        return load_scenario(path)
    if kind == "path":
        from trainer.onboarding.paths import load_path

        return load_path(path)
    from trainer.nlp.patterns import PatternBank
    from trainer.nlp.pipeline import load_nlp

    folder = tmp_path / "patterns"
    folder.mkdir(exist_ok=True)
    copy = folder / (path.stem + ".yaml")
    shutil.copyfile(path, copy)
    return PatternBank(load_nlp(), folder)


@pytest.mark.parametrize("kind", list(YAML_LOADERS))
def test_corpus_yaml_file_is_refused_by_every_schema(kind, tmp_path):
    from trainer.nlp.pipeline import load_nlp

    # Warm up outside the hang guard: the first load imports spaCy and builds the pipeline.
    if kind != "rubric":
        load_nlp()
    if kind == "patterns":
        _load(kind, CORPUS / "yaml" / "empty.yaml", tmp_path)
    for path in YAML:
        if kind == "patterns" and path.name == "empty.yaml":
            continue  # an empty pattern file is an empty bank, which is fine
        name = path.stem if kind == "patterns" else str(path)
        outcome = attempt(
            lambda p=path: _load(kind, p, tmp_path), name, codes=(YAML_LOADERS[kind],), seconds=10
        )
        assert isinstance(outcome, YAML_LOADERS[kind]), f"{path.name} loaded as a {kind}"
        for old in (tmp_path / "patterns").glob("*") if kind == "patterns" else ():
            old.unlink()


def test_corpus_rubric_check_refuses_infinite_and_nan_weights():
    from trainer.cli import app

    for name in ("rubric_weight_inf.yaml", "rubric_weight_nan.yaml", "rubric_param_inf.yaml"):
        result = CliRunner().invoke(app, ["rubric", "check", str(CORPUS / "yaml" / name)])
        assert result.exit_code != 0, result.output
        assert "[E100]" in result.output and "not a finite number" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("path", AUDIO, ids=_ids(AUDIO))
def test_corpus_audio_file_is_decoded_or_refused_with_a_code(path):
    from trainer.services.calls import is_call_file
    from trainer.speech.audio import decode

    assert is_call_file(path)  # by its bytes or its name: it goes to the audio intake
    outcome = attempt(lambda: decode(path), str(path), codes=(AudioError,))
    if path.name.startswith("ok_"):
        assert not isinstance(outcome, Exception), outcome
        assert outcome.duration == pytest.approx(1.0, abs=0.05)  # what it holds, not its header
    else:
        assert isinstance(outcome, AudioError), f"{path.name} decoded"


def test_corpus_utf16_and_utf32_text_is_not_taken_for_audio():
    from trainer.services.calls import is_call_file
    from trainer.speech.audio import sniff_format

    for name in ("ok_utf16_bom.txt", "ok_utf32_bom.txt", "ok_utf16_bom.json"):
        path = CORPUS / "chat" / name
        assert sniff_format(path.read_bytes()[:4096]) is None
        assert not is_call_file(path)
    # An MPEG frame header that happens to start FF FE is still audio.
    assert sniff_format(b"\xff\xfe" + bytes(range(0x80, 0xFF)) * 4) == "mp3"


def _stored(url: str) -> dict[str, tuple[str, int]]:
    """external id -> (status, number of turns), for every stored conversation."""
    from trainer.db.models import ConversationRecord, TurnRecord
    from trainer.db.session import session_scope

    with session_scope(url) as session:
        counts = dict(
            session.execute(
                select(TurnRecord.conversation_id, func.count()).group_by(
                    TurnRecord.conversation_id
                )
            ).all()
        )
        rows = session.execute(
            select(ConversationRecord.id, ConversationRecord.external_id, ConversationRecord.status)
        ).all()
    return {external: (status, counts.get(pk, 0)) for pk, external, status in rows}


GOOD = {
    "good-1": [("agent", "Hello, how can I help?"), ("customer", "My order is late.")],
    "good-2": [("agent", "Hi there"), ("customer", "I need a refund"), ("agent", "Sure.")],
}


def test_corpus_batch_stores_the_good_files_and_nothing_of_the_bad(db_url, tmp_path):
    from trainer.access import Actor
    from trainer.services.calls import transcribe_stored
    from trainer.services.ingestion import ingest_paths

    folder = tmp_path / "batch"
    folder.mkdir()
    for path in CHAT + [p for p in AUDIO if not p.name.startswith("ok_")]:
        shutil.copyfile(path, folder / path.name)
    for cid, turns in GOOD.items():
        data = {"id": cid, "turns": [{"speaker": s, "text": t} for s, t in turns]}
        (folder / f"{cid}.json").write_text(json.dumps(data))

    summary = attempt(lambda: ingest_paths(Actor.local_admin(), [folder]), str(folder))
    assert not isinstance(summary, Exception), summary

    # Every bad chat file is listed, with a code; every good and ok_ file is stored whole.
    listed = {Path(path).name: message for path, message in summary.failed + summary.skipped}
    bad_chats = [p.name for p in CHAT if not p.name.startswith("ok_")]
    for name in bad_chats:
        assert name in listed, f"{name} is not in the summary"
        assert listed[name].startswith("[E2") or "[E2" in listed[name], listed[name]
    stored = _stored(db_url)
    expected = {cid: len(turns) for cid, turns in GOOD.items()}
    for path in CHAT:
        if path.name.startswith("ok_"):
            for conversation in read_file(path).conversations:
                expected[conversation.external_id] = len(conversation.turns)
    calls = {p.stem for p in AUDIO if not p.name.startswith("ok_")}
    assert set(stored) == set(expected) | calls, set(stored) ^ (set(expected) | calls)
    for cid, turns in expected.items():
        if stored[cid] != ("ingested", turns):
            COUNTS["partial_stores"] += 1
        assert stored[cid] == ("ingested", turns), cid

    # Bad audio is registered with no turns; transcribing it fails with a coded reason.
    for cid in calls:
        assert stored[cid] == ("queued", 0), cid
        assert transcribe_stored(cid, url=db_url, score=False) == "failed"
    from trainer.db.models import ConversationRecord
    from trainer.db.session import session_scope

    with session_scope(db_url) as session:
        for record in session.scalars(
            select(ConversationRecord).where(ConversationRecord.external_id.in_(calls))
        ):
            assert record.status == "failed" and record.status_reason.startswith("[E600]")
            assert record.turns == []
