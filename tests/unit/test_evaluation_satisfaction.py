"""`trainer eval satisfaction` on small synthetic USS-format files (never the shared data set)."""

import json

import numpy as np
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from trainer.errors import DatasetError
from trainer.evaluation.common import detection, spearman, split_of
from trainer.evaluation.satisfaction import evaluate_satisfaction, read_uss, render_satisfaction
from trainer.scoring.rubric import find_rubric

GOOD = [
    ("USER", "Hi, I need to change my flight to Friday.", "4,4,5"),
    ("SYSTEM", "I'm sorry about the change of plans. I can move it to Friday at 9am for you.", ""),
    ("USER", "Yes please, that works.", "5,4,5"),
    (
        "SYSTEM",
        "Done: your flight is now on Friday at 9am and your booking is confirmed. "
        "Is there anything else I can help you with?",
        "",
    ),  # fmt: skip
    ("USER", "No, that's all. Thank you so much!", "5,5,5"),
    ("SYSTEM", "You're welcome, have a great trip!", ""),
]
POOR = [
    ("USER", "Hi, I need to change my flight to Friday.", "3,3,3"),
    ("SYSTEM", "Flights cannot be changed.", ""),
    ("USER", "Can I change my flight to Friday? I really need to.", "2,2,1"),
    ("SYSTEM", "No.", ""),
    ("USER", "This is useless, I still need my flight changed.", "1,1,2"),
]


def block(turns, overall, salt=""):
    lines = [f"{role}\t{text}{salt if role == 'USER' else ''}\tINFORM\t{r}" for role, text, r in
             turns]  # fmt: skip
    lines.append(f"USER\tOVERALL\t\t{overall}")
    return "\n".join(lines)


def write_uss(path, good=6, poor=6):
    blocks = [block(GOOD, "5,4,5", f" (trip {i})") for i in range(good)]
    blocks += [block(POOR, "1,2,1", f" (trip {i})") for i in range(poor)]
    path.write_text("\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uss_file(tmp_path_factory):
    return write_uss(tmp_path_factory.mktemp("uss") / "dialogues.tsv")


@pytest.fixture(scope="module")
def report(uss_file):
    return evaluate_satisfaction(uss_file, find_rubric("customer_service"), bootstrap=200)


def test_read_uss_turns_speakers_and_mean_rating(uss_file):
    dialogues = read_uss(uss_file)
    assert len(dialogues) == 12
    first = dialogues[0]
    assert first.line == 2  # the file starts with a blank line
    assert [t.speaker for t in first.conversation.turns] == ["customer", "agent"] * 3
    assert first.conversation.turns[1].text.startswith("I'm sorry about the change")
    assert first.ratings == (5, 4, 5) and first.rating == pytest.approx(14 / 3)
    assert dialogues[-1].rating == pytest.approx(4 / 3)
    assert len({d.conversation.external_id for d in dialogues}) == 12


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("USER\thi\tINFORM\t3\nSYSTEM\thello\t\n", ":1", "no OVERALL line"),
        ("USER\thi\tINFORM\t3\nUSER\tOVERALL\t\t4,x\n", ":2", "are not comma-separated"),
        ("USER\thi\tINFORM\t3\nUSER\tOVERALL\t\t0,4\n", ":2", "whole numbers 1-5"),
        ("USER\thi\tINFORM\t3\nUSER\tOVERALL\t\t\n", ":2", "are not comma-separated"),
        ("AGENT\thi\tINFORM\t3\nUSER\tOVERALL\t\t4\n", ":1", "USER or SYSTEM"),
        ("USER hi INFORM 3\nUSER\tOVERALL\t\t4\n", ":1", "USER or SYSTEM"),
        ("USER\thi\t\t3\nUSER\tOVERALL\t\t4\nSYSTEM\tbye\t\n", ":3", "after the dialogue's"),
        ("USER\tOVERALL\t\t4\n", ":1", "has no turns"),
        ("\n\n   \n", "", "the file is empty"),
    ],
)
def test_read_uss_bad_files_name_the_line(tmp_path, text, where, message):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        read_uss(path)
    assert caught.value.code == "E500"
    assert message in str(caught.value)
    assert f"{path}{where}" in str(caught.value)


def test_read_uss_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes(b"USER\thi\tINFORM\t3\nUSER\tcaf\xe9\tINFORM\t3\n")
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_uss(path)
    with pytest.raises(DatasetError, match="no such file"):
        read_uss(tmp_path / "missing.tsv")


def test_eval_satisfaction_ranks_good_service_above_poor(report):
    overall = report.measure("overall score").correlation
    assert overall.n == 12
    assert overall.rho > 0.8  # every good dialogue outscores every poor one
    assert overall.low <= overall.rho <= overall.high
    assert report.measure("resolution").correlation.rho > 0.5
    assert report.dialogues == 12 and report.mean_rating == pytest.approx((14 + 4) / 6)


def test_eval_satisfaction_reports_sections_criteria_extras_and_baselines(report):
    kinds = {}
    for m in report.measures:
        kinds.setdefault(m.kind, []).append(m.name)
    rubric = find_rubric("customer_service")
    assert kinds["section"] == [s.id for s in rubric.sections]
    assert len(kinds["criterion"]) == len(rubric.criteria())
    assert "satisfaction.repeated_request.v1" in kinds["detector"]
    assert kinds["baseline"] == ["turns (length baseline)", "TF-IDF ridge (text baseline)"]
    # untimed chats: the responsiveness section applies to none of them
    assert report.measure("responsiveness").correlation.n == 0
    assert report.measure("responsiveness").correlation.rho is None
    # the poor dialogues repeat the request: the detector's score falls with satisfaction
    assert report.measure("satisfaction.repeated_request.v1").correlation.rho > 0.5


def test_eval_satisfaction_render_and_json(report):
    text = render_satisfaction(report)
    assert "overall score" in text and "TF-IDF ridge" in text
    assert "empathy/apologises" not in text  # criteria only on request
    assert "empathy/apologises" in render_satisfaction(report, criteria=True)
    assert max(len(line) for line in text.splitlines()) <= 80
    data = report.as_json()
    json.dumps(data)  # plain data
    assert data["overall"]["n"] == 12 and data["overall"]["spearman"] > 0.8
    assert {m["kind"] for m in data["measures"]} == {
        "overall", "section", "criterion", "detector", "baseline"
    }  # fmt: skip


def test_eval_satisfaction_holdout_uses_only_its_half_and_trains_on_the_other(tmp_path):
    path = write_uss(tmp_path / "many.tsv", good=15, poor=15)
    dialogues = read_uss(path)
    holdout = [d for d in dialogues if d.split == "holdout"]
    assert 3 <= len(holdout) < len(dialogues)
    report = evaluate_satisfaction(
        path, find_rubric("customer_service"), split="holdout", bootstrap=0
    )
    assert report.dialogues == len(holdout)
    tune = len(dialogues) - len(holdout)
    assert f"trained on the tune split ({tune})" in report.baseline
    assert report.measure("overall score").correlation.low is None  # no bootstrap asked


def test_eval_satisfaction_unknown_detector_suggests_a_name(uss_file):
    with pytest.raises(DatasetError, match="did you mean satisfaction.repeated_request.v1"):
        evaluate_satisfaction(
            uss_file, find_rubric("customer_service"), detectors=["satisfaction.repeat_request.v1"]
        )


def test_eval_satisfaction_too_few_dialogues(tmp_path):
    path = write_uss(tmp_path / "two.tsv", good=1, poor=1)
    with pytest.raises(DatasetError, match="too few to correlate"):
        evaluate_satisfaction(path, find_rubric("customer_service"))


def test_spearman_matches_scipy_and_handles_gaps_and_constants():
    rng = np.random.default_rng(3)
    x = rng.normal(size=40).round(1).tolist()  # rounding makes ties
    y = (np.array(x) + rng.normal(size=40)).tolist()
    result = spearman(x, y, bootstrap=300)
    assert result.rho == pytest.approx(spearmanr(x, y).statistic)
    assert result.low < result.rho < result.high
    gappy = [None if i % 4 == 0 else v for i, v in enumerate(x)]
    kept = [(a, b) for a, b in zip(gappy, y, strict=True) if a is not None]
    assert spearman(gappy, y, bootstrap=0).n == len(kept) == 30
    assert spearman(gappy, y, bootstrap=0).rho == pytest.approx(
        spearmanr(*zip(*kept, strict=True)).statistic
    )
    assert spearman([1.0] * 10, y[:10]).rho is None
    assert spearman([1.0, 2.0], [1.0, 2.0]).rho is None


def test_detection_counts_precision_recall_f1():
    result = detection([True, True, False, False, True], [True, False, True, False, True])
    assert (result.true_positive, result.false_positive) == (2, 1)
    assert (result.false_negative, result.true_negative) == (1, 1)
    assert result.precision == pytest.approx(2 / 3) and result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 / 3)
    assert detection([False], [False]).precision is None


def test_split_of_is_stable_and_keyed():
    assert split_of("s1", "r1") == split_of("s1", "r1")
    halves = {split_of(str(i)) for i in range(50)}
    assert halves == {"tune", "holdout"}


def test_cli_eval_satisfaction_json_and_errors(uss_file, tmp_path):
    from trainer.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app, ["eval", "satisfaction", "--data", str(uss_file), "--json", "--bootstrap", "50"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["overall"]["spearman"] > 0.8
    bad = tmp_path / "bad.tsv"
    bad.write_text("USER\thi\tINFORM\t3\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "satisfaction", "--data", str(bad)])
    assert result.exit_code != 0
    assert "E500" in result.output and "no OVERALL line" in result.output
    assert "Traceback" not in result.output
