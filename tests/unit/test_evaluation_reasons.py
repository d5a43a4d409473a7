"""`trainer eval reasons` on small synthetic labelled files (never the shared BANKING77 file)."""

import json

import pytest
from typer.testing import CliRunner

from trainer.errors import DatasetError
from trainer.evaluation.common import split_of
from trainer.evaluation.reasons import evaluate_reason_files, render_reasons

PHRASES = {
    "card_arrival": ["my card has not arrived", "where is my new card", "card still not here"],
    "refund": ["I want my money back", "refund my purchase", "return the money for my order"],
    "pin_blocked": ["my pin is blocked", "locked out after a wrong pin", "unblock my pin"],
}


def write_csv(path, copies=12, header="text,category"):
    lines = [header]
    for reason, phrases in PHRASES.items():
        for phrase in phrases:
            lines += [f'"{phrase}, case {n}",{reason}' for n in range(copies)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_reasons_trains_on_tune_half_and_tests_on_holdout(tmp_path):
    path = write_csv(tmp_path / "intents.csv")
    report = evaluate_reason_files(path)
    texts = [line.rsplit(",", 1)[0].strip('"') for line in path.read_text().splitlines()[1:]]
    holdout = sum(split_of(t) == "holdout" for t in texts)
    assert report.report.examples == holdout
    assert report.trained == len(texts) - holdout
    assert report.reasons == 3
    assert report.report.accuracy > 0.9 and report.report.macro_f1 > 0.9
    assert report.majority_accuracy < 0.5  # three balanced reasons
    data = report.as_json()
    json.dumps(data)
    assert set(data["per_class"]) == set(PHRASES)
    assert data["majority_baseline"]["reason"] in PHRASES


def test_eval_reasons_test_file_rows_are_never_trained_on(tmp_path):
    data = write_csv(tmp_path / "train.csv")
    test = tmp_path / "test.csv"
    test.write_text(
        "text,reason\n"
        '"my card has not arrived, case 0",card_arrival\n'
        '"refund my purchase, case 3",refund\n'
        '"my pin is blocked, case 5",pin_blocked\n',
        encoding="utf-8",
    )
    report = evaluate_reason_files(data, test)
    assert report.report.examples == 3
    assert report.trained == 3 * 3 * 12 - 3
    assert report.tested_on == str(test)


def test_eval_reasons_reports_reasons_unseen_in_training(tmp_path):
    data = write_csv(tmp_path / "train.csv")
    test = tmp_path / "test.csv"
    test.write_text("text,reason\nclose my account please,cancel\n", encoding="utf-8")
    report = evaluate_reason_files(data, test)
    assert report.report.unknown_reasons == ["cancel"]
    assert report.report.accuracy == 0.0
    assert "never seen in training: cancel" in render_reasons(report)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("words,label\nhello,a\n", "missing columns"),
        ("conversation_id,reason\nc-001,billing\nc-002,refund\n", "names a stored conversation"),
        ("text,reason\nonly one,billing\nanother,billing\n", "distinct reason"),
    ],
)
def test_eval_reasons_bad_files_are_dataset_errors(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    test = tmp_path / "test.csv"
    test.write_text("text,reason\nsomething,billing\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        evaluate_reason_files(path, test)


def test_eval_reasons_rejects_a_non_positive_c(tmp_path):
    with pytest.raises(DatasetError, match="C must be a positive number"):
        evaluate_reason_files(write_csv(tmp_path / "train.csv"), c=0)


def test_cli_eval_reasons_json_and_missing_file(tmp_path):
    from trainer.cli import app

    runner = CliRunner()
    path = write_csv(tmp_path / "intents.csv")
    result = runner.invoke(app, ["eval", "reasons", "--data", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["macro_f1"] > 0.9
    result = runner.invoke(app, ["eval", "reasons", "--data", str(tmp_path / "none.csv")])
    assert result.exit_code != 0 and "E500" in result.output and "no such file" in result.output
    text = runner.invoke(app, ["eval", "reasons", "--data", str(path)]).output
    assert "majority baseline" in text and "hardest reasons" in text
