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
