"""`trainer eval strategies` on a small synthetic ESConv-format file (never the shared data)."""

import json

import pytest
from typer.testing import CliRunner

from trainer.errors import DatasetError
from trainer.evaluation.strategies import evaluate_strategies, read_esconv, render_strategies

SEEKER = "0.0 0 {i} I lost my job last week and I feel so anxious about money."
REPLIES = [
    ("Questions", "How long have you been feeling this anxious?"),
    ("Questions", "What kind of work were you doing before?"),
    ("Reflection of feelings", "I'm so sorry, that sounds really frightening."),
    ("Affirmation and Reassurance", "I'm so sorry you are going through this."),
    ("Providing Suggestions", "Make a budget and apply to a few jobs each day."),
    ("Information", "Unemployment benefits usually start within two weeks."),
]


def window(i, strategy, reply, prefix=True):
    turns = [f"1.0 1 {i - 1} [Other] Hello"] if prefix else []
    turns += [SEEKER.format(i=i), f"1.0 1 {i + 1} [{strategy}] {reply}"]
    return " EOS ".join(turns) + " \r"


def write_file(path, copies=3):
    lines = [
        window(i * 10 + 1, strategy, f"{reply} ({i})")
        for i in range(copies)
        for strategy, reply in REPLIES
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def esconv(tmp_path_factory):
    return write_file(tmp_path_factory.mktemp("esconv") / "dev.tsv")


def test_read_esconv_takes_the_last_reply_and_the_seeker_turn_before_it(esconv):
    replies = read_esconv(esconv)
    assert len(replies) == 3 * len(REPLIES)
    first = replies[0]
    assert first.strategy == "Questions"
    assert first.reply == "How long have you been feeling this anxious? (0)"
    assert first.seeker.startswith("I lost my job")
    turns = first.conversation().turns
    assert [t.speaker for t in turns] == ["customer", "agent"]


def test_read_esconv_keeps_each_reply_once(tmp_path):
    line = window(1, "Questions", "How are you?")
    path = tmp_path / "dup.tsv"
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    assert len(read_esconv(path)) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1.0 0 0 I feel bad. EOS 1.0 0 1 Still bad.", "not a supporter's reply"),
        ("1.0 0 0 I feel bad. EOS 1.0 1 1 No strategy here", "not a supporter's reply"),
        ("hello there EOS 1.0 1 1 [Questions] Why?", "does not start with"),
    ],
)
def test_read_esconv_bad_lines_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.tsv"
    path.write_text(window(1, "Questions", "How are you?") + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message) as caught:
        read_esconv(path)
    assert f"{path}:2" in str(caught.value)


def test_eval_strategies_counts_flags_against_the_labels(esconv):
    report = evaluate_strategies(esconv)
    assert report.replies == 18
    assert report.strategies["Questions"] == 6
    exploration = report.pairings["exploration"]
    assert exploration.detection.recall == 1.0  # both questions are about the seeker
    assert exploration.detection.precision == 1.0
    assert exploration.flag_rate["Providing Suggestions"] == 0.0
    empathy = report.pairings["any empathy detector"]
    assert empathy.detection.recall == 1.0  # "I'm so sorry ..." in both empathy replies
    assert empathy.flag_rate["Information"] == 0.0
    total = empathy.detection
    assert (
        total.true_positive + total.false_positive + total.false_negative + (total.true_negative)
        == 18
    )


def test_eval_strategies_render_and_json(esconv):
    report = evaluate_strategies(esconv)
    text = render_strategies(report)
    assert "exploration" in text and "Reflection of feelings" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    data = report.as_json()
    json.dumps(data)
    assert data["pairings"]["exploration"]["recall"] == 1.0
    assert data["pairings"]["exploration"]["detector"] == "empathy.exploration.v1"


def test_eval_strategies_split_keeps_a_half(tmp_path):
    path = write_file(tmp_path / "many.tsv", copies=10)
    every = read_esconv(path)
    holdout = [r for r in every if r.split == "holdout"]
    assert 0 < len(holdout) < len(every)
    assert evaluate_strategies(path, split="holdout").replies == len(holdout)


def test_cli_eval_strategies(esconv, tmp_path):
    from trainer.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["eval", "strategies", "--data", str(esconv), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["replies"] == 18
    result = runner.invoke(app, ["eval", "strategies", "--data", str(tmp_path)])
    assert result.exit_code != 0 and "E500" in result.output and "not a file" in result.output
