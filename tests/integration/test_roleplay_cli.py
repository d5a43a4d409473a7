"""`trainer roleplay` and `trainer scenario ...` end to end, through the real `trainer` app
(trainer/cli/roleplay.py registers them on it)."""

import json

from typer.testing import CliRunner

from trainer.cli import app

from ..conftest import REPO

SCRIPTS = REPO / "tests" / "fixtures" / "roleplay"
runner = CliRunner()


def trainer(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def test_roleplay_cli_script_json_has_the_documented_shape(sqlite_url):
    result = trainer(
        "roleplay", "double-charge", "--script", SCRIPTS / "double-charge.good.txt", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"scenario", "outcome", "score", "passed", "turns", "mood", "feedback"} <= set(data)
    assert data["scenario"] == "double-charge" and data["outcome"] == "resolved"
    assert data["passed"] is True and data["mood"][0] == 7
    assert isinstance(data["turns"], int) and data["turns"] == len(data["transcript"])


def test_roleplay_cli_script_poor_attempt_fails_with_feedback(sqlite_url):
    result = trainer("roleplay", "double-charge", "--script", SCRIPTS / "double-charge.poor.txt")
    assert result.exit_code == 0, result.output
    assert "NOT PASSED" in result.stdout and "customer_left" in result.stdout
    assert "turn 1: the customer said she was furious" in result.stdout
    assert "try:" in result.stdout


def test_roleplay_cli_interactive_reads_replies_until_quit(sqlite_url):
    replies = "I'm so sorry, Dana, that's really frustrating.\n/quit\n"
    result = trainer("roleplay", "double-charge", input=replies)
    assert result.exit_code == 0, result.output
    assert "Charged twice for one order" in result.stdout
    assert "Dana (mood 7/10)" in result.stdout
    assert "outcome unresolved" in result.stdout


def test_roleplay_cli_trainee_attempts_are_stored_and_show_in_progress(sqlite_url):
    added = trainer(
        "users", "add", "Tess Trainee", "--email", "tess@example.com", "--role", "trainee"
    )
    assert added.exit_code == 0, added.output
    for name in ("poor", "good"):
        result = trainer(
            "roleplay",
            "double-charge",
            "--script",
            SCRIPTS / f"double-charge.{name}.txt",
            "--trainee",
            "Tess Trainee",
            "--json",
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["attempt"] >= 1
    result = trainer("scenario", "progress", "Tess Trainee", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["attempts"] == 2 and report["scenarios_passed"] == ["double-charge"]
    table = trainer("scenario", "progress", "Tess Trainee")
    assert "double-charge" in table.stdout and "empathy" in table.stdout
    own = trainer("--as", "tess@example.com", "scenario", "progress", "Tess Trainee", "--json")
    assert own.exit_code == 0, own.output
    assert json.loads(own.stdout)["attempts"] == 2


def test_roleplay_cli_trainee_without_an_account_is_refused_in_one_line(sqlite_url):
    result = trainer(
        "roleplay",
        "double-charge",
        "--script",
        SCRIPTS / "double-charge.good.txt",
        "--trainee",
        "Nobody Here",
    )
    assert result.exit_code == 2
    assert "no user 'Nobody Here'" in result.stderr and "trainer users add" in result.stderr
    assert "Traceback" not in result.output


def test_roleplay_cli_other_trainees_progress_is_not_found_as_an_agent(sqlite_url):
    for name, email, role in (
        ("Tess Trainee", "tess@example.com", "trainee"),
        ("Sam Agent", "sam@example.com", "agent"),
    ):
        assert trainer("users", "add", name, "--email", email, "--role", role).exit_code == 0
    result = trainer("--as", "sam@example.com", "scenario", "progress", "Tess Trainee")
    assert result.exit_code == 2 and "no trainee 'Tess Trainee'" in result.stderr


def test_roleplay_cli_scenario_check_list_and_show(tmp_path, sqlite_url):
    ok = trainer("scenario", "check", *sorted((REPO / "scenarios").glob("*.yaml")))
    assert ok.exit_code == 0 and ok.stdout.count("OK ") >= 10
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (REPO / "scenarios" / "double-charge.yaml").read_text().replace("mood: 7", "mood: 12")
    )
    result = trainer("scenario", "check", bad)
    assert result.exit_code == 2
    assert "[E800]" in result.stderr and f"{bad}: persona.mood" in result.stderr
    listing = trainer("scenario", "list")
    assert "double-charge" in listing.stdout and "abusive-customer" in listing.stdout
    shown = trainer("scenario", "show", "double-charge")
    assert "Dana Ruiz" in shown.stdout and "3-5 business days" in shown.stdout


def test_roleplay_cli_user_errors_are_one_line(sqlite_url, tmp_path):
    result = trainer("roleplay", "no-such-scenario", "--script", tmp_path / "x.txt")
    assert result.exit_code == 2 and "[E800]" in result.stderr and "Traceback" not in result.output
    result = trainer("roleplay", "double-charge", "--script", tmp_path / "missing.txt")
    assert result.exit_code == 2 and "script file not found" in result.stderr
