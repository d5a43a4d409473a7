"""The `trainer` command end to end on a fresh database: ingest, score, show, report, errors."""

import csv
import json
import statistics

import pytest
from typer.testing import CliRunner

from trainer.cli import app

from ..conftest import REPO

HOLDOUT = REPO / "tests" / "fixtures" / "holdout_chats"
SKILLS = ("empathy", "clarity", "resolution", "follow_up")
runner = CliRunner()


def trainer(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def show_json(cid: str) -> dict:
    result = trainer("show", cid, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_holdout_good_chats_outscore_poor_ones_in_every_skill(db_url):
    result = trainer("ingest", HOLDOUT, "--score")
    assert result.exit_code == 0, result.output
    assert "ingested 12" in result.stdout and "scored 12" in result.stdout
    labels = list(csv.DictReader((HOLDOUT / "labels.csv").open()))
    views = {row["id"]: show_json(row["id"]) for row in labels}
    for skill in SKILLS:
        good = [views[r["id"]]["sections"][skill] for r in labels if r[skill] == "good"]
        poor = [views[r["id"]]["sections"][skill] for r in labels if r[skill] == "poor"]
        assert statistics.mean(good) > statistics.mean(poor) + 25, (skill, good, poor)
        assert statistics.median(good) > max(statistics.median(poor), 50), (skill, good, poor)


def test_cli_show_json_has_the_documented_shape(sqlite_url):
    trainer("ingest", REPO / "recordings" / "chats" / "c-001-double-charge.json", "--score")
    view = show_json("c-001")
    assert {"conversation", "channel", "rubric", "score", "sections", "criteria", "turns"} <= set(
        view
    )
    assert view["conversation"] == "c-001" and view["channel"] == "chat"
    assert view["rubric"] == "customer_service@4"
    assert 0 <= view["score"] <= 100
    assert set(view["sections"]) == {
        "empathy",
        "clarity",
        "resolution",
        "follow_up",
        "call_handling",
        "responsiveness",
        "customer_outcome",
    }
    assert view["sections"]["responsiveness"] is None  # no message times: nothing to measure
    for criterion in view["criteria"]:
        assert {"id", "section", "value", "na", "explanation", "evidence"} <= set(criterion)
        for evidence in criterion["evidence"]:
            assert set(evidence) == {"turn", "start", "end"}
            assert (
                0
                <= evidence["start"]
                < evidence["end"]
                <= len(view["turns"][evidence["turn"]]["text"])
            )
    assert set(view["turns"][0]) == {
        "speaker",
        "text",
        "start",
        "end",
        "original_text",
        "original_speaker",
    }
    assert view["turns"][0]["original_text"] is None  # never corrected


def test_cli_show_text_and_unknown_conversation(sqlite_url):
    trainer("ingest", REPO / "recordings" / "chats" / "c-001-double-charge.json")
    text = trainer("show", "c-001")
    assert text.exit_code == 0 and "not scored yet" in text.stdout
    missing = trainer("show", "nope")
    assert missing.exit_code == 2
    assert "[E300]" in missing.stderr and "no conversation 'nope'" in missing.stderr


def test_cli_report_formats(sqlite_url, tmp_path):
    trainer("ingest", HOLDOUT, "--score")
    span = ("--since", "2026-01-01", "--until", "2026-12-31")  # the holdout chats' dates
    rows = json.loads(trainer("report", *span, "--format", "json").stdout)
    assert len(rows) == 6 and {"agent", "conversations", "score", "low", "high", *SKILLS} <= set(
        rows[0]
    )
    assert sum(r["conversations"] for r in rows) == 12
    assert all(r["low"] <= r["score"] <= r["high"] and r["uncertain"] for r in rows)
    lines = trainer("report", *span, "--format", "csv").stdout.strip().splitlines()
    assert (
        lines[0].startswith("agent,teams,conversations,reviewed,score,low,high") and len(lines) == 7
    )
    table = trainer("report", *span).stdout
    assert "Rosa Delgado" in table
    # FCR from repeat contacts stands beside the sections, as in every other format
    assert "(%)" in table and "fcr" in rows[0]  # the header "First-contact resolution (%)" wraps
    # the default range is the last 30 days: the spring chats are outside it
    assert json.loads(trainer("report", "--format", "json").stdout) == []
    weekly = json.loads(trainer("report", *span, "--period", "week", "--format", "json").stdout)
    assert sum(r["conversations"] for r in weekly) == 12 and {"agent", "period"} <= set(weekly[0])
    bad = trainer("report", "--since", "2026-05-02", "--until", "2026-05-01")
    assert bad.exit_code == 2 and "[E990]" in bad.stderr
    pdf = tmp_path / "rosa.pdf"
    agent = rows[0]["agent"]
    made = trainer("report", "export", "--agent", agent, *span, "--format", "pdf", "--out", pdf)
    assert made.exit_code == 0, made.output
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_ingest_twice_creates_nothing_new(sqlite_url):
    trainer("ingest", HOLDOUT)
    again = trainer("ingest", HOLDOUT)
    assert again.exit_code == 0
    assert "ingested 0" in again.stdout and "unchanged 12" in again.stdout


def test_cli_bad_files_fail_alone_and_lose_nothing(sqlite_url, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "id": "ok-1",
                "turns": [
                    {"speaker": "agent", "text": "Hello, this is Sam."},
                    {"speaker": "customer", "text": "Hi."},
                ],
            }
        )
    )
    (tmp_path / "broken.json").write_text('{"id": "b-1", "turns": [')
    (tmp_path / "empty.json").write_text(json.dumps({"id": "e-1", "turns": []}))
    (tmp_path / "stranger.json").write_text(
        json.dumps(
            {
                "id": "s-1",
                "turns": [
                    {"speaker": "agent", "text": "Hello"},
                    {"speaker": "martian", "text": "Greetings"},
                ],
            }
        )
    )
    (tmp_path / "wrong.csv").write_text("conversation_id,speaker\nx,agent\n")
    result = trainer("ingest", tmp_path)
    assert result.exit_code == 1
    assert "ingested 1" in result.stdout and "failed 4" in result.stdout
    errors = result.stderr
    assert "broken.json" in errors and "empty.json" in errors and "wrong.csv" in errors
    assert "martian" in errors and "turns.1.speaker" in errors
    assert "text" in errors  # the CSV error names the missing column
    assert show_json("ok-1")["turns"][0]["text"] == "Hello, this is Sam."
    for cid in ("b-1", "e-1", "s-1"):
        assert trainer("show", cid).exit_code == 2


def test_cli_alias_option_maps_unknown_speaker(sqlite_url, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("Jo: Hello, Jo here from Zest.\nCustomer: My order is late.\n")
    assert trainer("ingest", path).exit_code == 1
    result = trainer("ingest", path, "--alias", "Jo=agent")
    assert result.exit_code == 0, result.output
    assert show_json("chat")["turns"][0]["speaker"] == "agent"
    assert trainer("ingest", path, "--alias", "nonsense").exit_code == 2


def test_cli_rubric_check_ok_and_error(tmp_path):
    ok = trainer("rubric", "check", REPO / "rubrics" / "customer_service.yaml")
    assert ok.exit_code == 0 and ok.stdout.startswith("OK")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: X\nsections: []\n")
    result = trainer("rubric", "check", bad)
    assert result.exit_code == 2
    assert "bad.yaml: sections" in result.stderr and "[E100]" in result.stderr


def test_cli_score_needs_targets_and_a_valid_rubric(sqlite_url, tmp_path):
    assert trainer("score").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    result = trainer("score", "--all", "--rubric", bad)
    assert result.exit_code == 2 and "bad.yaml" in result.stderr


def test_cli_db_upgrade_and_detectors(sqlite_url):
    result = trainer("db", "upgrade")
    assert result.exit_code == 0 and "revision 0010" in result.stdout
    listing = trainer("detectors").stdout
    assert "empathy.acknowledgement.v1" in listing and "call_handling.closing.v1" in listing


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_report_on_empty_database(sqlite_url, fmt):
    result = trainer("report", "--format", fmt)
    assert result.exit_code == 0
    assert (
        ("no scored conversations" in result.stdout)
        if fmt == "table"
        else json.loads(result.stdout) == []
    )


def test_cli_score_background_queues_a_job_a_worker_runs(sqlite_url, tmp_path, monkeypatch):
    from trainer.jobs import queue as jobs

    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    monkeypatch.setenv("TRAINER_QUEUE_URL", queue_url)
    monkeypatch.setattr(jobs, "_default", None)
    trainer("ingest", HOLDOUT)
    result = trainer("score", "--all", "--background")
    assert result.exit_code == 0 and "queued scoring job" in result.stdout
    assert show_json("h-001")["score"] is None  # nothing scored until a worker runs
    worker = jobs.build_queue(queue_url)
    task = worker.huey.dequeue()
    assert worker.huey.execute(task) == {"scored": 12, "failed": []}
    assert show_json("h-001")["score"] is not None


def test_cli_chat_personal_data_is_redacted_before_storage(sqlite_url, tmp_path, monkeypatch):
    path = tmp_path / "pii.json"
    path.write_text(
        json.dumps(
            {
                "id": "pii-1",
                "turns": [
                    {"speaker": "agent", "text": "Can you confirm the email on the account?"},
                    {
                        "speaker": "customer",
                        "text": "dana.ruiz@example.com, card 4111 1111 1111 1111",
                    },
                ],
            }
        )
    )
    assert trainer("ingest", path).exit_code == 0
    stored = show_json("pii-1")["turns"][1]["text"]
    assert "[EMAIL]" in stored and "[CARD]" in stored
    assert "example.com" not in stored and "4111" not in stored
    monkeypatch.setenv("TRAINER_STORE_UNREDACTED", "1")
    other = tmp_path / "pii2.json"
    other.write_text(path.read_text().replace("pii-1", "pii-2"))
    trainer("ingest", other)
    assert "dana.ruiz@example.com" in show_json("pii-2")["turns"][1]["text"]
