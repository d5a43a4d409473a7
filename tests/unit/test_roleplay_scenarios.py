"""Scenario files: the shipped set, the double-charge facts, and errors naming file and path."""

import copy
from pathlib import Path

import pytest
import yaml

from trainer.errors import ScenarioError
from trainer.roleplay.loader import SCENARIOS_DIR, find_scenario, list_scenarios, load_scenario
from trainer.roleplay.progress import PROGRESS_SKILLS
from trainer.roleplay.scoring import build_rubric
from trainer.scoring.rubric import find_rubric

DOUBLE_CHARGE = SCENARIOS_DIR / "double-charge.yaml"


def test_roleplay_scenarios_ship_at_least_ten_varied_ones():
    scenarios = list_scenarios()
    ids = {s.id for s in scenarios}
    assert len(scenarios) >= 10
    assert {
        "double-charge",
        "late-delivery",
        "defective-return",
        "cancellation-retention",
        "service-outage",
        "transfer-to-fraud",
        "confused-first-time-user",
        "abusive-customer",
        "repeat-caller",
    } <= ids
    assert {s.difficulty for s in scenarios} == {"easy", "medium", "hard"}
    assert set(PROGRESS_SKILLS) <= {skill for s in scenarios for skill in s.skills}
    assert len({s.persona.temperament for s in scenarios}) >= 5
    assert len({s.persona.name for s in scenarios}) == len(scenarios)


def test_roleplay_scenarios_double_charge_has_the_agreed_facts():
    s = find_scenario("double-charge")
    assert (s.persona.name, s.persona.mood, s.persona.leaves_at) == ("Dana Ruiz", 7, 10)
    assert s.persona.temperament == "angry"
    facts = {f.id: f.value for f in s.facts}
    assert facts["order_number"] == "3348917502"
    assert facts["card"] == "4417"
    assert facts["amount"] == "$94.00"
    requirements = {r.id: r for r in s.requirements}
    assert list(requirements) == [
        "acknowledged-frustration",
        "verified-identity",
        "confirmed-duplicate",
        "refunded",
        "time-frame",
        "follow-up",
    ]
    assert requirements["verified-identity"].fact_groups() == [["name"], ["order_number", "email"]]
    assert "3-5 business days" in requirements["time-frame"].description


def test_roleplay_scenarios_rubric_adds_scenario_criteria_and_drops_what_it_replaces():
    s = find_scenario("transfer-to-fraud")
    rubric = build_rubric(s)
    ids = {c.id for _, c in rubric.criteria()}
    assert {r.id for r in s.requirements} <= ids
    assert "no-deflection" not in ids and "verifies-identity" not in ids
    assert rubric.pass_mark == s.scoring.pass_mark
    base = find_rubric("customer_service")
    assert rubric.ref == f"customer_service-v{base.version}-transfer-to-fraud@{s.version}"
    double = build_rubric(find_scenario("double-charge"))
    assert "conflict_resolution" in [section.id for section in double.sections]


def test_roleplay_scenarios_find_by_path_and_unknown_id():
    assert find_scenario(str(DOUBLE_CHARGE)).id == "double-charge"
    with pytest.raises(ScenarioError, match="no scenario with id 'nope'") as info:
        find_scenario("nope")
    assert "double-charge" in info.value.fix


def _data() -> dict:
    return yaml.safe_load(DOUBLE_CHARGE.read_text())


def _edit(path: str, value):
    def apply(data: dict) -> dict:
        data = copy.deepcopy(data)
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return data

    return apply


BAD = [
    (_edit("persona.mood", 11), "persona.mood", "less than or equal to 10"),
    (_edit("persona.temperament", "grumpy"), "persona.temperament", "Input should be"),
    (_edit("difficulty", "extreme"), "difficulty", "Input should be"),
    (
        _edit("resolution.requirements.1.facts", ["name", "shoe_size"]),
        "resolution.requirements.1.facts.1",
        "shoe_size",
    ),
    (
        # An empty group of alternatives (the fuzz suite's find: an IndexError before).
        _edit("resolution.requirements.1.facts", ["name", []]),
        "resolution.requirements.1.facts",
        "an empty group of facts",
    ),
    (
        _edit("resolution.requirements.3.after", ["follow-up"]),
        "resolution.requirements.3.after.0",
        "earlier",
    ),
    (_edit("facts.1.id", "name"), "facts.1.id", "twice"),
    (_edit("facts.0.ask", {"sets": ["no_such_set"]}), "facts.0.ask.sets.0", "no_such_set"),
    (_edit("facts.0.ask", {"regex": ["(unclosed"]}), "facts.0.ask.regex", "regular expression"),
    (_edit("lines.opening", ["Hi, I'm {nickname}."]), "lines.opening.0", "{nickname}"),
    (_edit("reactions", {"sulking": {"mood": 1}}), "reactions.sulking", "unknown reaction"),
    (_edit("scoring.drop", ["no-such-criterion"]), "scoring.drop.0", "no-such-criterion"),
    (_edit("scoring.rubric", "no_such_rubric"), "scoring.rubric", "no_such_rubric"),
    (
        _edit("scoring.criteria.0.detector", {"name": "roleplay.nope.v1"}),
        "scoring",
        "unknown detector",
    ),
    (_edit("persona.leaves_at", 6), "persona", "below leaves_at"),
]


@pytest.mark.parametrize(("edit", "where", "message"), BAD)
def test_roleplay_scenarios_errors_name_the_file_and_the_path(tmp_path: Path, edit, where, message):
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(edit(_data())))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert error.code == "E800"
    assert str(path) in error.where and where in error.where, error.format()
    assert message in error.format()


def test_roleplay_scenarios_yaml_syntax_error_names_line_and_column(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\npersona: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML") as info:
        load_scenario(path)
    assert info.value.where.startswith(f"{path}:")


def test_roleplay_scenarios_missing_file_and_non_mapping(tmp_path: Path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "absent.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ScenarioError, match="must be a mapping"):
        load_scenario(path)
