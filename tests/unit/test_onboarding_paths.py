"""Learning-path files: the shipped paths load and name existing scenarios; a bad file's error
names the file, the field inside it and a fix."""

from __future__ import annotations

import pytest
import yaml

from trainer.errors import PathError
from trainer.onboarding.paths import PATHS_DIR, find_path, list_paths, load_path, parse_path
from trainer.roleplay.loader import find_scenario

GOOD = {
    "id": "mini",
    "version": 1,
    "title": "Mini path",
    "steps": [{"scenario": "double-charge"}, {"scenario": "late-delivery", "pass_mark": 80}],
}


def test_onboarding_paths_new_hire_basics_starts_with_double_charge():
    path = find_path("new-hire-basics")
    assert path.ref == "new-hire-basics@1"
    assert [s.id for s in path.steps] == [
        "double-charge",
        "late-delivery",
        "abusive-customer",
        "transfer-to-fraud",
    ]
    first = path.steps[0]
    # left out in the file: filled in from the scenario
    assert first.title == find_scenario("double-charge").title
    assert first.pass_mark == find_scenario("double-charge").scoring.pass_mark
    assert first.min_passes == 1 and first.max_attempts is None


def test_onboarding_paths_every_shipped_path_names_existing_scenarios():
    paths = list_paths()
    assert {p.id for p in paths} >= {"new-hire-basics", "difficult-conversations"}
    for path in paths:
        assert (PATHS_DIR / f"{path.id}.yaml").is_file()  # the file is named after its id
        for step in path.steps:
            assert find_scenario(step.scenario).id == step.id
            assert step.title and step.pass_mark is not None


def test_onboarding_paths_defaults_and_explicit_values():
    path = parse_path(GOOD, "mini.yaml")
    assert path.steps[1].pass_mark == 80 and path.steps[0].pass_mark == 75
    assert path.step("late-delivery").title == "Birthday present running late"
    with pytest.raises(KeyError):
        path.step("nope")


@pytest.mark.parametrize(
    ("change", "where", "text"),
    [
        ({"version": 0}, "bad.yaml: version", "greater than or equal to 1"),
        ({"steps": []}, "bad.yaml: steps", "at least 1"),
        ({"id": "Bad Id"}, "bad.yaml: id", "pattern"),
        ({"colour": "red"}, "bad.yaml: colour", "Extra inputs"),
        ({"steps": [{"scenario": "nope"}]}, "bad.yaml: steps.0.scenario", "unknown scenario"),
        ({"steps": [{"scenario": "double-charge", "min_passes": 0}]}, "steps.0.min_passes", ""),
        ({"steps": [{"scenario": "double-charge", "pass_mark": 120}]}, "steps.0.pass_mark", ""),
        (
            {"steps": [{"scenario": "double-charge", "min_passes": 3, "max_attempts": 2}]},
            "bad.yaml: steps.0",
            "max_attempts 2 is fewer than min_passes 3",
        ),
        (
            {"steps": [{"scenario": "double-charge"}, {"scenario": "double-charge"}]},
            "bad.yaml: steps.1.scenario",
            "a step twice",
        ),
        ({"steps": [{"scenario": "double-charge", "attempts": 3}]}, "steps.0.attempts", ""),
    ],
)
def test_onboarding_paths_errors_name_the_file_and_the_field(change, where, text):
    with pytest.raises(PathError) as caught:
        parse_path({**GOOD, **change}, "bad.yaml")
    error = caught.value
    assert error.code == "E810"
    assert where in error.where
    assert text in error.message


def test_onboarding_paths_missing_field_and_not_a_mapping(tmp_path):
    data = {k: v for k, v in GOOD.items() if k != "title"}
    with pytest.raises(PathError) as caught:
        parse_path(data, "x.yaml")
    assert caught.value.where == "x.yaml: title" and caught.value.fix == "add this field"
    with pytest.raises(PathError, match="must be a mapping"):
        parse_path(["a"], "x.yaml")


def test_onboarding_paths_file_errors_name_the_file_and_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nsteps: [\n", encoding="utf-8")
    with pytest.raises(PathError) as caught:
        load_path(broken)
    assert caught.value.where.startswith(f"{broken}:") and "not valid YAML" in caught.value.message
    with pytest.raises(PathError, match="file not found"):
        load_path(tmp_path / "missing.yaml")
    good = tmp_path / "mini.yaml"
    good.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    assert load_path(good).id == "mini"
    assert [p.id for p in list_paths(tmp_path / "none")] == []
    with pytest.raises(PathError) as caught:
        find_path("other", tmp_path)
    assert "no learning path with id 'other'" in caught.value.message
    assert caught.value.fix == "use one of: broken, mini"


def test_onboarding_paths_a_broken_file_does_not_hide_the_others(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\nversion: 0\n", encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    assert [p.id for p in list_paths(tmp_path, skip_broken=True)] == ["mini"]
    with pytest.raises(PathError) as caught:
        list_paths(tmp_path)
    assert "broken.yaml: version" in caught.value.where
    with pytest.raises(PathError, match="version"):
        find_path("broken", tmp_path)  # its own file's error, not "no such path"
