"""Per-skill progress over attempts, best and latest score per scenario, scenarios passed."""

import math

from trainer.roleplay.progress import (
    PROGRESS_SKILLS,
    attempts_frame,
    progress_report,
    scenario_progress,
    skill_progress,
)

ROWS = [
    {
        "attempt": 1,
        "scenario": "double-charge",
        "outcome": "customer_left",
        "score": 20.0,
        "passed": False,
        "sections": {"empathy": 0.0, "clarity": 80.0, "resolution": 10.0},
    },
    {
        "attempt": 2,
        "scenario": "double-charge",
        "outcome": "resolved",
        "score": 88.0,
        "passed": True,
        "sections": {"empathy": 90.0, "clarity": 70.0, "resolution": 100.0},
    },
    {
        "attempt": 3,
        "scenario": "late-delivery",
        "outcome": "resolved",
        "score": 70.0,
        "passed": False,
        "sections": {"empathy": 60.0, "follow_up": 50.0, "conflict_resolution": 100.0},
    },
]


def test_roleplay_progress_skills_over_attempts():
    skills = skill_progress(attempts_frame(ROWS))
    assert list(skills.index) == list(PROGRESS_SKILLS)
    empathy = skills.loc["empathy"]
    assert (empathy["attempts"], empathy["first"], empathy["latest"], empathy["best"]) == (
        3,
        0.0,
        60.0,
        90.0,
    )
    assert empathy["change"] == 60.0 and empathy["mean"] == 50.0
    assert skills.loc["follow_up", "attempts"] == 1
    assert str(skills["attempts"].dtype).startswith("int")
    assert skills.loc["clarity", "change"] == -10.0


def test_roleplay_progress_best_and_latest_per_scenario():
    table = scenario_progress(attempts_frame(ROWS)).set_index("scenario")
    assert table.loc["double-charge"].to_dict() == {
        "attempts": 2,
        "best": 88.0,
        "latest": 88.0,
        "passed": True,
        "last_outcome": "resolved",
    }
    assert not table.loc["late-delivery", "passed"]


def test_roleplay_progress_report_is_json_ready():
    report = progress_report(ROWS)
    assert report["attempts"] == 3 and report["passed_attempts"] == 1
    assert report["scenarios_passed"] == ["double-charge"]
    series = report["skills"]["empathy"]["series"]
    assert [p["value"] for p in series] == [0.0, 90.0, 60.0]
    assert report["skills"]["empathy"]["best"] == 90.0
    no_data = report["skills"]["conflict_resolution"]
    assert no_data["attempts"] == 1 and no_data["series"][0]["attempt"] == 3
    for value in report["skills"]["follow_up"].values():
        assert not (isinstance(value, float) and math.isnan(value))
    assert {row["scenario"] for row in report["scenarios"]} == {"double-charge", "late-delivery"}


def test_roleplay_progress_with_no_attempts():
    report = progress_report([])
    assert (
        report["attempts"] == 0 and report["scenarios_passed"] == [] and report["scenarios"] == []
    )
    assert report["skills"]["empathy"] == {
        "attempts": 0,
        "first": None,
        "latest": None,
        "best": None,
        "mean": None,
        "change": None,
        "series": [],
    }
