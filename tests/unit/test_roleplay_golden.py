"""Golden paths: for every scenario a well-handled script resolves and passes, a poor one fails."""

from pathlib import Path

import pytest

from trainer.roleplay.attempt import read_script, run_script
from trainer.roleplay.loader import find_scenario, list_scenarios

SCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "roleplay"
SCENARIO_IDS = [s.id for s in list_scenarios()]


def play(scenario_id: str, path: Path, seed: int = 0):
    return run_script(find_scenario(scenario_id), read_script(path.read_text()), seed=seed)


def test_roleplay_golden_every_scenario_has_a_good_and_a_poor_script():
    for scenario_id in SCENARIO_IDS:
        assert (SCRIPTS / f"{scenario_id}.good.txt").is_file(), scenario_id
        assert (SCRIPTS / f"{scenario_id}.poor.txt").is_file(), scenario_id


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_roleplay_golden_good_script_resolves_and_passes(scenario_id):
    result = play(scenario_id, SCRIPTS / f"{scenario_id}.good.txt")
    assert result.outcome == "resolved", result.as_json()["transcript"]
    assert result.passed, (result.score, [f.message for f in result.feedback])
    assert result.score >= result.pass_mark
    assert result.mood[-1] < result.mood[0] or result.mood[0] <= 4


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_roleplay_golden_good_script_passes_whatever_the_seed(scenario_id):
    for seed in (1, 7, 42):
        result = play(scenario_id, SCRIPTS / f"{scenario_id}.good.txt", seed=seed)
        assert result.outcome == "resolved" and result.passed, (seed, result.score)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_roleplay_golden_poor_script_fails(scenario_id):
    result = play(scenario_id, SCRIPTS / f"{scenario_id}.poor.txt")
    assert not result.passed
    assert result.outcome != "resolved" or result.score < result.pass_mark
    assert result.feedback, "a failed attempt always gets feedback"


@pytest.mark.parametrize("name", ["double-charge.plain.txt", "double-charge.plain-2.txt"])
def test_roleplay_golden_unseen_plain_double_charge_script_resolves_and_passes(name):
    result = play("double-charge", SCRIPTS / "unseen" / name)
    assert result.outcome == "resolved"
    assert result.passed, (result.score, [f.message for f in result.feedback])


@pytest.mark.parametrize("name", ["double-charge.dismissive.txt", "double-charge.dismissive-2.txt"])
def test_roleplay_golden_unseen_dismissive_double_charge_script_does_not_pass(name):
    result = play("double-charge", SCRIPTS / "unseen" / name)
    assert not result.passed
    assert result.outcome == "customer_left"
    assert result.mood[-1] == 10
