"""ASR evaluation pieces: STM parsing, WER normalisation, speaker attribution with label mapping."""

import pytest

from trainer.errors import DatasetError
from trainer.evaluation.asr import (
    StmLine,
    read_stm,
    role_accuracy,
    speaker_accuracy,
    word_error_rate,
)


def test_evaluation_asr_reads_stm(tmp_path):
    path = tmp_path / "ref.stm"
    path.write_text(
        ";; a comment\n"
        "call 1 agent 0.50 2.00 Hello, this is Sam.\n"
        "call 2 customer 2.50 4.00 <o,f0,female> Hi Sam\n"
    )
    lines = read_stm(path)
    assert [(line.speaker, line.start, line.text) for line in lines] == [
        ("agent", 0.5, "Hello, this is Sam."),
        ("customer", 2.5, "Hi Sam"),
    ]


@pytest.mark.parametrize("content", ["call 1 agent zero 2.0 hi\n", "call 1\n", ""])
def test_evaluation_asr_bad_stm_names_the_line(tmp_path, content):
    path = tmp_path / "bad.stm"
    path.write_text(content)
    with pytest.raises(DatasetError, match="bad.stm"):
        read_stm(path)


def test_evaluation_asr_wer_normalises_case_punctuation_and_numbers():
    assert (
        word_error_rate("Hello, Sam! It costs twenty-one dollars.", "hello sam it costs 21 dollars")
        == 0
    )
    assert word_error_rate("alpha beta gamma delta", "alpha beta delta") == pytest.approx(0.25)


def test_evaluation_asr_speaker_accuracy_uses_the_best_label_mapping():
    reference = [
        StmLine("c", "1", "agent", 0.0, 2.0, "a b"),
        StmLine("c", "2", "customer", 3.0, 5.0, "c d"),
    ]
    swapped = [("S1", 0.1, 0.9), ("S1", 1.1, 1.9), ("S0", 3.1, 3.9), ("S0", 4.1, 4.9)]
    assert speaker_accuracy(reference, swapped) == 1.0
    half = [("S0", 0.1, 0.9), ("S1", 1.1, 1.9), ("S0", 3.1, 3.9), ("S0", 4.1, 4.9)]
    assert speaker_accuracy(reference, half) == 0.75
    assert speaker_accuracy(reference, []) == 0.0


def test_evaluation_asr_role_accuracy_does_not_relabel():
    reference = [
        StmLine("c", "1", "agent", 0.0, 2.0, "a b"),
        StmLine("c", "2", "customer", 3.0, 5.0, "c d"),
    ]
    swapped = [
        ("customer", 0.1, 0.9),
        ("customer", 1.1, 1.9),
        ("agent", 3.1, 3.9),
        ("agent", 4.1, 4.9),
    ]
    assert role_accuracy(reference, swapped) == 0.0
    right = [("agent", 0.1, 1.9), ("customer", 3.1, 3.9), ("agent", 4.1, 4.9)]
    assert role_accuracy(reference, right) == 0.75
    named_otherwise = [StmLine("c", "1", "spk1", 0.0, 2.0, "a b")]
    assert role_accuracy(named_otherwise, right) is None


# --- many calls: --folder ---------------------------------------------------------------------


def _report(speakers: float, wer: float = 0.1, loops: int = 0):
    from trainer.evaluation.asr import AsrReport

    return AsrReport(
        wer=wer,
        speaker_accuracy=speakers,
        real_time_factor=0.1,
        engine="faster-whisper",
        model="tiny.en",
        audio_seconds=30.0,
        speaker_mode="mono",
        peak_rss_mb=100.0,
        role_accuracy=1.0,
        loops_mended=loops,
    )


def test_evaluation_asr_folder_pairs_each_call_with_its_stm(tmp_path, monkeypatch):
    from trainer.evaluation import asr

    for name in ("a.mono.mp3", "b.wav", "c.opus", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "a.stm").write_text("a 1 agent 0 1 hi\n")
    (tmp_path / "b.stm").write_text("b 1 agent 0 1 hi\n")  # c.opus has none: left out
    seen = []
    accuracy = {"a.mono.mp3": 0.8, "b.wav": 1.0}

    def fake(audio, reference, engine=None, model=None):
        seen.append((audio.name, reference.name))
        return _report(accuracy[audio.name], loops=1)

    monkeypatch.setattr(asr, "evaluate_asr", fake)
    report = asr.evaluate_asr_folder(tmp_path)
    assert seen == [("a.mono.mp3", "a.stm"), ("b.wav", "b.stm")]
    summary = report.summary()
    assert summary["calls"] == 2 and summary["loops_mended"] == 2
    assert summary["speaker_accuracy_median"] == pytest.approx(0.9)
    assert summary["speaker_accuracy_p10"] == pytest.approx(0.82)
    assert summary["speaker_accuracy_min"] == 0.8 and summary["calls_at_or_over_90"] == 1
    assert [c["audio"] for c in report.as_json()["calls"]] == ["a.mono.mp3", "b.wav"]
    text = asr.render_asr_folder(report)
    assert "median 90.0%, 10th percentile 82.0%" in text and "1 of 2 at or over 90%" in text


def test_evaluation_asr_folder_without_references_says_what_is_missing(tmp_path):
    from trainer.evaluation.asr import evaluate_asr_folder

    (tmp_path / "a.wav").write_bytes(b"x")
    with pytest.raises(DatasetError, match="no recording with an STM"):
        evaluate_asr_folder(tmp_path)
    with pytest.raises(DatasetError, match="not a folder"):
        evaluate_asr_folder(tmp_path / "missing")


def test_evaluation_asr_cli_wants_one_mode(tmp_path):
    from typer.testing import CliRunner

    from trainer.cli import app

    neither = CliRunner().invoke(app, ["eval", "asr"])
    assert neither.exit_code != 0 and "--folder" in neither.output
    both = CliRunner().invoke(
        app, ["eval", "asr", "--folder", str(tmp_path), "--audio", str(tmp_path / "a.wav")]
    )
    assert both.exit_code != 0 and "one or the other" in both.output


def test_evaluation_asr_folder_on_a_spoken_call(tmp_path):
    """End to end on real synthetic speech: a stereo call and its STM, through the CLI."""
    import json

    from typer.testing import CliRunner

    from trainer.cli import app

    from ..speech_synth import make_call, require_espeak

    require_espeak()
    lines = [
        ("agent", "Thank you for calling, this is Sam. How can I help?"),
        ("customer", "Hi Sam, my parcel has not arrived yet."),
    ]
    timeline = make_call(lines, tmp_path / "call-1.wav", stereo=True)
    (tmp_path / "call-1.stm").write_text(
        "".join(
            f"call-1 {1 if who == 'agent' else 2} {who} {a:.2f} {b:.2f} {text}\n"
            for who, a, b, text in timeline
        )
    )
    result = CliRunner().invoke(app, ["eval", "asr", "--folder", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (call,) = report["calls"]
    assert call["audio"] == "call-1.wav" and call["speaker_mode"] == "stereo"
    assert call["wer"] < 0.3 and call["speaker_accuracy"] > 0.9
    assert report["summary"]["calls"] == 1 and report["summary"]["loops_mended"] == 0
