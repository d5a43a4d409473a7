"""`trainer eval politeness` on a small synthetic Stanford-format CSV (never the shared data)."""

import csv
import json

import pytest
from typer.testing import CliRunner

from trainer.errors import DatasetError
from trainer.evaluation.politeness import evaluate_politeness, read_politeness, render_politeness

REQUESTS = [
    ("Thanks so much for your help! Could you please look at the second section?", 1.8),
    ("Hi, I was wondering if you could check my edit when you have a moment?", 1.4),
    ("Sorry to bother you, would you mind reviewing this?", 1.2),
    ("Could you add a source for that claim?", 0.6),
    ("Where is the source for that claim?", -0.1),
    ("What is the source for this?", -0.2),
    ("You removed my paragraph again.", -0.8),
    ("Why did you delete it? Actually it was correct.", -1.4),
    ("So you reverted it again. That is ridiculous.", -2.0),
    ("Why are you lying? Stop this nonsense.", -2.6),
]
HEADER = ["Community", "Id", "Request", "Normalized Score"]


def write_csv(path, rows=REQUESTS, copies=1, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for copy in range(copies):
            for n, (text, score) in enumerate(rows):
                full = {"Community": "Wikipedia", "Id": f"{copy}-{n}", "Request": text,
                        "Normalized Score": score}  # fmt: skip
                writer.writerow([full[c] for c in header])
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("politeness") / "requests.csv")


def test_read_politeness_rows_and_split_key(data):
    rows = read_politeness(data)
    assert len(rows) == 10
    assert rows[0].line == 2 and rows[0].key == "0-0" and rows[0].score == 1.8
    assert {r.split for r in read_politeness(write_csv(data.parent / "big.csv", copies=6))} == {
        "tune", "holdout"
    }  # fmt: skip


def test_eval_politeness_ranks_requests_as_the_ratings_do(data):
    report = evaluate_politeness(data, bootstrap=200)
    assert report.requests == 10
    assert report.detector_correlation.rho > 0.8
    assert report.detector_correlation.low <= report.detector_correlation.rho
    assert report.flagged_impolite >= 4
    data_json = report.as_json()
    json.dumps(data_json)
    assert data_json["spearman"] > 0.8 and data_json["detector"] == "tone.politeness.v1"
    assert set(data_json["baselines"]) == {"length", "tfidf_ridge"}
    text = render_politeness(report)
    assert "tone.politeness.v1" in text and "length baseline" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_eval_politeness_holdout_trains_the_text_baseline_on_the_tune_half(tmp_path):
    path = write_csv(tmp_path / "big.csv", copies=6)
    holdout = [r for r in read_politeness(path) if r.split == "holdout"]
    report = evaluate_politeness(path, split="holdout", bootstrap=0)
    assert report.requests == len(holdout)
    assert f"trained on the tune split ({60 - len(holdout)})" in report.baseline


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        ("Request,Score\nhi,1\n", "missing column Normalized Score", ":1"),
        ("Request,Normalized Score\nhi,high\n", "is not a finite number", ":2"),
        ("Request,Normalized Score\nhi,nan\n", "is not a finite number", ":2"),
        ("Request,Normalized Score\n,1.0\n", "empty request", ":2"),
        ("Request,Normalized Score\n", "no rows", ""),
    ],
)
def test_read_politeness_bad_files(tmp_path, content, message, where):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message) as caught:
        read_politeness(path)
    assert f"{path}{where}" in str(caught.value)


def test_eval_politeness_unknown_detector(data):
    with pytest.raises(DatasetError, match="did you mean tone.politeness.v1"):
        evaluate_politeness(data, detector="tone.polite.v1")


def test_cli_eval_politeness(data):
    from trainer.cli import app

    result = CliRunner().invoke(
        app, ["eval", "politeness", "--data", str(data), "--json", "--bootstrap", "0"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["spearman"] > 0.8
