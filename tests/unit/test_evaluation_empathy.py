"""`trainer eval empathy` on a small synthetic EPITOME-format file (never the shared data set)."""

import csv
import json

import pytest
from typer.testing import CliRunner

from trainer.errors import DatasetError
from trainer.evaluation.empathy import (
    REQUIRED_COLUMNS,
    evaluate_empathy,
    read_epitome,
    render_report,
    select_split,
    split_of,
)

DIMENSIONS = ("emotional_reactions", "interpretations", "explorations")
REQUIRED_KEYS = {*DIMENSIONS, "responses_per_second"}

# (seeker_post, response_post, emotional_reactions, interpretations, explorations)
ROWS = [
    ("My dog died this morning.", "I'm so sorry for your loss. How are you holding up?", 2, 0, 2),
    (
        "I lost my job today.",
        "I'm so sorry you're going through this. I lost mine last year.",
        2,
        2,
        0,
    ),
    (
        "Nobody calls me anymore.",
        "That's awful, I'm really sorry. What happened with your friends?",
        2,
        0,
        2,
    ),
    (
        "I failed my exam again.",
        "I've been there, I failed mine twice. What subject was it?",
        0,
        2,
        2,
    ),
    ("I can't sleep at all.", "Same, I was up until 4am every night last month.", 0, 2, 0),
    ("Everything feels pointless.", "I understand. What's wrong?", 0, 1, 1),
    ("I feel so alone lately.", "Hang in there, I hope things get better.", 1, 0, 0),
    ("My sister won't talk to me.", "Good luck, I hope she comes around. Why?", 1, 0, 1),
    (
        "I have to move out next week.",
        "Stay strong. I understand how stressful moving is.",
        1,
        2,
        0,
    ),
    ("My car broke down again.", "Call a mechanic.", 0, 0, 0),
    ("I'm anxious about the interview.", "Interviews are usually short.", 0, 0, 0),
    ("Work is overwhelming me.", "Make a list and do one thing at a time.", 0, 0, 0),
]
HEADER = ["sp_id", "rp_id", "seeker_post", "response_post", *DIMENSIONS]


def write_csv(path, rows=ROWS, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n, row in enumerate(rows):
            full = dict(zip(HEADER, [f"s{n}", f"r{n}", *row], strict=True))
            writer.writerow([full[column] for column in header])
    return path


@pytest.fixture(scope="module")
def dev_csv(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("epitome") / "dev.csv")


@pytest.fixture(scope="module")
def report(dev_csv):
    return evaluate_empathy(dev_csv)


def test_evaluation_empathy_json_has_exactly_the_required_keys(report):
    data = report.as_json()
    assert set(data) == REQUIRED_KEYS | {"split", "rows"}
    for name in DIMENSIONS:
        assert {"accuracy", "macro_f1", "baseline_macro_f1"} <= set(data[name])
    json.dumps(data)  # serialisable as it is


def test_evaluation_empathy_report_values_are_in_range(report):
    data = report.as_json()
    assert data["rows"] == len(ROWS) and data["split"] == "all"
    assert data["responses_per_second"] > 0
    for name in DIMENSIONS:
        dim = data[name]
        for key in ("accuracy", "macro_f1", "baseline_macro_f1", "baseline_accuracy"):
            assert 0.0 <= dim[key] <= 1.0, (name, key, dim[key])
        assert dim["n"] == len(ROWS)
        assert sum(map(sum, dim["confusion"])) == len(ROWS)
        assert dim["detector"].startswith("empathy.") and dim["detector"].endswith(".v1")


def test_evaluation_empathy_detectors_fit_clear_synthetic_labels(report):
    for name in DIMENSIONS:
        assert report.dimensions[name].accuracy >= 0.75, (name, report.dimensions[name])
    assert "cross-validation" in report.baseline


def test_evaluation_empathy_render_report_is_a_readable_table(report):
    text = render_report(report)
    for expected in (
        *DIMENSIONS,
        "rule macro-F1",
        "baseline macro-F1",
        "responses/s",
        "split: all",
    ):
        assert expected in text
    assert "empathy.emotional_reaction.v1" in text and "human / detector" in text
    assert f"{len(ROWS)} rows" in text


def test_evaluation_empathy_missing_columns_name_the_file_and_columns(tmp_path):
    header = ["sp_id", "rp_id", "seeker_post", "response_post", "emotional_reactions"]
    path = write_csv(tmp_path / "partial.csv", header=header)
    with pytest.raises(DatasetError) as caught:
        evaluate_empathy(path)
    message = str(caught.value)
    assert "E500" in message and "partial.csv" in message
    assert "missing columns interpretations, explorations (fix" in message


def test_evaluation_empathy_missing_file_is_a_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        evaluate_empathy(tmp_path / "nope.csv")


def test_evaluation_empathy_bad_level_names_column_and_row(tmp_path):
    rows = [*ROWS[:3], ("Help", "Ok.", 0, 3, 0)]
    with pytest.raises(DatasetError, match=r"interpretations, row 4: level '3'"):
        read_epitome(write_csv(tmp_path / "bad.csv", rows=rows))


def test_evaluation_empathy_split_is_fixed_and_partitions_the_rows(dev_csv):
    frame = read_epitome(dev_csv)
    tune, holdout = select_split(frame, "tune"), select_split(frame, "holdout")
    assert len(tune) + len(holdout) == len(frame) == len(select_split(frame, "all"))
    assert not set(tune["rp_id"]) & set(holdout["rp_id"])
    assert split_of("s1", "r1") == split_of("s1", "r1") in {"tune", "holdout"}
    assert {split_of(f"s{n}", f"r{n}") for n in range(50)} == {"tune", "holdout"}
    with pytest.raises(DatasetError, match="unknown split"):
        select_split(frame, "everything")


def test_evaluation_empathy_holdout_trains_the_baseline_on_the_tune_rows(dev_csv):
    frame = read_epitome(dev_csv)
    holdout = evaluate_empathy(dev_csv, split="holdout")
    assert holdout.rows == len(select_split(frame, "holdout"))
    n_tune = len(select_split(frame, "tune"))
    assert f"trained on the tune split of --data ({n_tune} rows)" in holdout.baseline
    same_file = evaluate_empathy(dev_csv, baseline_train=dev_csv, split="holdout")
    assert same_file.baseline == holdout.baseline


def test_evaluation_empathy_baseline_train_file_drops_rows_under_test(dev_csv, tmp_path):
    other = write_csv(tmp_path / "train.csv", rows=ROWS[:9] + [("New", "I'm sorry.", 2, 0, 0)])
    result = evaluate_empathy(dev_csv, baseline_train=other)
    assert "train.csv (1 rows not in the evaluated set)" in result.baseline
    with pytest.raises(DatasetError, match="also in --data"):
        evaluate_empathy(dev_csv, baseline_train=write_csv(tmp_path / "copy.csv"))


def test_evaluation_empathy_columns_are_the_epitome_ones():
    assert set(REQUIRED_COLUMNS) == {"seeker_post", "response_post", *DIMENSIONS}


def test_evaluation_empathy_cli_prints_json_and_reports_errors(dev_csv, tmp_path):
    from trainer.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["eval", "empathy", "--data", str(dev_csv), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == REQUIRED_KEYS | {"split", "rows"}
    held = runner.invoke(app, ["eval", "empathy", "--data", str(dev_csv), "--split", "holdout"])
    assert held.exit_code == 0 and "split: holdout" in held.stdout
    bad = runner.invoke(app, ["eval", "empathy", "--data", str(tmp_path / "missing.csv")])
    assert bad.exit_code == 2 and "E500" in bad.output and "Traceback" not in bad.output


def test_evaluation_empathy_rationale_overlap_of_evidence_with_the_annotators_spans(tmp_path):
    rows = [
        ("My dog died.", "I'm so sorry for your loss. How are you holding up?", 2, 0, 2),
        ("I lost my job.", "That's awful, I'm really sorry. What happened at work?", 2, 0, 2),
        ("I can't sleep.", "Call a doctor.", 0, 0, 0),
    ]
    rationales = {
        "emotional_reactions_rationales": ["I'm so sorry for your loss.|", "I'm really sorry|", ""],
        "explorations_rationales": ["How are you holding up?|", "What happened at work?|", ""],
    }
    path = tmp_path / "rationales.csv"
    header = [*HEADER, *rationales]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n, row in enumerate(rows):
            writer.writerow([f"s{n}", f"r{n}", *row, *(r[n] for r in rationales.values())])
    report = evaluate_empathy(path)
    exploration = report.dimensions["explorations"].rationale
    assert exploration.n == 2  # the third row: neither side found a question
    assert exploration.token_f1 > 0.8 and 0 < exploration.iou <= 1
    emotional = report.dimensions["emotional_reactions"].rationale
    assert emotional.n == 2 and emotional.token_f1 > 0
    assert report.dimensions["interpretations"].rationale is None  # no such column
    data = report.as_json()
    assert data["explorations"]["rationale_overlap"]["n"] == 2
    assert data["interpretations"]["rationale_overlap"] is None
    assert "evidence vs the annotators' rationales" in render_report(report)


def test_evaluation_empathy_rationale_words_are_found_in_the_response():
    from trainer.evaluation.empathy import _rationale_chars, _words

    response = "Hang in there. How long has this been going on?"
    chars = _rationale_chars(response, "how long has this been going on?|missing text|")
    assert _words(response, chars) == {3, 4, 5, 6, 7, 8, 9}
    assert _rationale_chars(response, "|") == set()
