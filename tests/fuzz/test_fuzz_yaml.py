"""Hypothesis over every YAML schema (rubrics, role-play scenarios, learning paths, pattern
files): any text, and the shipped files with one value made hostile, either load into something
usable (every number finite) or are refused with the schema's coded error naming the file."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.harness import attempt, fuzz
from trainer.errors import PathError, PatternError, RubricError, ScenarioError
from trainer.validation import load_yaml_text

REPO = Path(__file__).resolve().parents[2]
RUBRIC = yaml.safe_load((REPO / "rubrics" / "customer_service.yaml").read_text())
SCENARIO = yaml.safe_load((REPO / "scenarios" / "double-charge.yaml").read_text())
PATH = yaml.safe_load((REPO / "scenarios" / "paths" / "new-hire-basics.yaml").read_text())

FRAGMENTS = st.sampled_from(
    [
        "id: x\n",
        "version: 1\n",
        "weight: .inf\n",
        "weight: .nan\n",
        "- ",
        "  ",
        "&a ",
        "*a ",
        "[",
        "]",
        "{",
        "}",
        ": ",
        "!!python/object/apply:os.system ['true']\n",
        "!!binary aGk=\n",
        "? ",
        "|\n",
        '"\\ud800"',
        "\t",
        "%YAML 1.1\n---\n",
        "...\n",
        "<<: *a\n",
    ]
)
YAML_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=10)), max_size=20).map("".join)
HOSTILE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@fuzz(80)
@given(text=YAML_TEXT)
def test_fuzz_yaml_text_loads_or_is_refused(text):
    outcome = attempt(
        lambda: load_yaml_text(text, "fuzz.yaml", RubricError), "fuzz.yaml", codes=(RubricError,)
    )
    if not isinstance(outcome, RubricError):
        _all_finite(outcome)


def _leaves(data, path=()):
    """(path, value) of every scalar inside `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, path + (index,))
    else:
        yield path, data


def _replaced(data, path, value):
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _all_finite(data) -> None:
    for _, value in _leaves(data):
        assert not (isinstance(value, float) and not math.isfinite(value)), data


@st.composite
def mutated(draw, original: dict) -> dict:
    """`original` with one scalar replaced by a hostile value (dumped to YAML and back)."""
    leaves = list(_leaves(original))
    path, _ = draw(st.sampled_from(leaves))
    return _replaced(original, path, draw(HOSTILE))


def _through_yaml(data: dict, error_class):
    text = yaml.safe_dump(data, allow_unicode=True)
    return load_yaml_text(text, "fuzz.yaml", error_class)


@pytest.fixture(scope="module")
def detectors():
    """The detector registry, warmed up outside the hang guard (the first rubric checked loads
    spaCy and every detector)."""
    from trainer.scoring.registry import registry
    from trainer.scoring.rubric import parse_rubric

    parse_rubric(RUBRIC)
    return registry


@fuzz(50)
@given(data=mutated(RUBRIC))
def test_fuzz_rubric_with_one_hostile_value(data, detectors):
    from trainer.scoring.rubric import parse_rubric

    outcome = attempt(
        lambda: parse_rubric(_through_yaml(data, RubricError), source="fuzz.yaml"),
        "fuzz.yaml",
        codes=(RubricError,),
    )
    if not isinstance(outcome, RubricError):
        for section, criterion in outcome.criteria():
            assert math.isfinite(section.weight) and math.isfinite(criterion.weight)
        assert math.isfinite(outcome.pass_mark)


@pytest.fixture(scope="module")
def nlp():
    from trainer.nlp.pipeline import load_nlp

    return load_nlp()


@fuzz(30)
@given(data=mutated(SCENARIO))
def test_fuzz_scenario_with_one_hostile_value(data, nlp):
    from trainer.roleplay.loader import parse_scenario

    outcome = attempt(
        lambda: parse_scenario(_through_yaml(data, ScenarioError), source="fuzz.yaml"),
        "fuzz.yaml",
        codes=(ScenarioError,),
    )
    if not isinstance(outcome, ScenarioError):
        _all_finite(outcome.model_dump())


@fuzz(30)
@given(data=mutated(PATH))
def test_fuzz_learning_path_with_one_hostile_value(data, nlp):
    from trainer.onboarding.paths import parse_path

    outcome = attempt(
        lambda: parse_path(_through_yaml(data, PathError), source="fuzz.yaml"),
        "fuzz.yaml",
        codes=(PathError,),
    )
    if not isinstance(outcome, PathError):
        _all_finite(outcome.model_dump())


PATTERN_SPEC = st.dictionaries(
    st.one_of(st.sampled_from(["greeting", "apology"]), st.text(max_size=8), st.integers()),
    st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "phrases": st.one_of(st.lists(st.text(max_size=12), max_size=3), HOSTILE),
                "patterns": st.one_of(
                    st.lists(
                        st.lists(
                            st.dictionaries(
                                st.sampled_from(["LOWER", "ORTH", "OP", "IS_DIGIT", "BOGUS"]),
                                st.one_of(st.text(max_size=5), st.booleans(), st.integers()),
                                max_size=2,
                            ),
                            max_size=3,
                        ),
                        max_size=2,
                    ),
                    HOSTILE,
                ),
            },
        ),
        HOSTILE,
    ),
    max_size=3,
)


@fuzz(40)
@given(spec=PATTERN_SPEC)
def test_fuzz_pattern_file(spec, nlp, tmp_path_factory):
    from trainer.nlp.patterns import PatternBank

    folder = tmp_path_factory.mktemp("patterns")
    path = folder / "fuzz.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    outcome = attempt(lambda: PatternBank(nlp, folder), str(path), codes=(PatternError,))
    if not isinstance(outcome, PatternError):
        assert outcome.labels <= {k for k in spec if isinstance(k, str)}


# Inputs the long run (`make fuzz`) found, kept so the short run checks them every time.


def test_fuzz_yaml_numeric_key_is_not_echoed_in_the_path(nlp, tmp_path):
    from trainer.nlp.patterns import PatternBank

    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump({41111111: {"phrases": [float("nan")]}}))
    error = attempt(lambda: PatternBank(nlp, tmp_path), str(path), codes=(PatternError,))
    assert isinstance(error, PatternError) and "41111111" not in error.format()


def test_fuzz_yaml_unprintable_set_name_is_not_echoed(nlp):
    from trainer.roleplay.loader import parse_scenario

    data = copy.deepcopy(SCENARIO)
    data["facts"][0]["ask"] = {"sets": ["\U00106570"]}
    error = attempt(lambda: parse_scenario(data, source="fuzz.yaml"), "fuzz.yaml")
    assert isinstance(error, ScenarioError) and "unknown pattern set" in error.format()


def test_fuzz_yaml_empty_group_of_facts_is_refused(nlp):
    from trainer.roleplay.loader import parse_scenario

    data = copy.deepcopy(SCENARIO)
    data["resolution"]["requirements"][1]["facts"] = [[]]
    error = attempt(lambda: parse_scenario(data, source="fuzz.yaml"), "fuzz.yaml")
    assert isinstance(error, ScenarioError) and "empty group of facts" in error.format()
