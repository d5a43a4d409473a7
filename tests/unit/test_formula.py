"""Worked examples of the score formula (DESIGN.md): N/A leaves the maximum, weights, auto-fail."""

import pytest

from trainer.scoring.formula import compute
from trainer.scoring.rubric import parse_rubric


def rubric(auto_fail_a=None, auto_fail_c=None):
    return parse_rubric(
        {
            "id": "worked",
            "version": 1,
            "title": "Worked example",
            "sections": [
                {
                    "id": "s1",
                    "title": "One",
                    "weight": 3,
                    "criteria": [
                        {
                            "id": "a",
                            "title": "A",
                            "guidance": "g",
                            "weight": 2,
                            "auto_fail": auto_fail_a,
                        },
                        {"id": "b", "title": "B", "guidance": "g", "weight": 1},
                    ],
                },
                {
                    "id": "s2",
                    "title": "Two",
                    "weight": 1,
                    "criteria": [
                        {
                            "id": "c",
                            "title": "C",
                            "guidance": "g",
                            "weight": 1,
                            "auto_fail": auto_fail_c,
                        },
                        {"id": "d", "title": "D", "guidance": "g", "weight": 3},
                    ],
                },
            ],
        }
    )


def test_formula_weighted_sections_and_criteria():
    # s1 = (1*2 + 0.5*1)/3 = 0.8333; s2 = (0*1 + 1*3)/4 = 0.75; total = (0.8333*3 + 0.75)/4
    result = compute(rubric(), {"a": 1.0, "b": 0.5, "c": 0.0, "d": 1.0})
    assert result.sections == {"s1": 83.33, "s2": 75.0}
    assert result.score == pytest.approx(81.25, abs=0.01)
    assert result.auto_failed == ()


def test_formula_na_leaves_the_maximum_not_zero():
    # b is N/A: s1 is a alone = 100, not (1*2 + 0*1)/3
    result = compute(rubric(), {"a": 1.0, "b": None, "c": 1.0, "d": 1.0})
    assert result.sections["s1"] == 100.0
    assert result.score == 100.0


def test_formula_all_na_section_is_left_out_of_the_total():
    result = compute(rubric(), {"a": None, "b": None, "c": 0.5, "d": 0.5})
    assert result.sections["s1"] is None
    assert result.score == 50.0


def test_formula_nothing_applicable_gives_no_score():
    result = compute(rubric(), {})
    assert result.score is None
    assert result.sections == {"s1": None, "s2": None}


def test_formula_section_auto_fail_zeroes_only_its_section():
    result = compute(rubric(auto_fail_c="section"), {"a": 1.0, "b": 1.0, "c": 0.0, "d": 1.0})
    assert result.sections == {"s1": 100.0, "s2": 0.0}
    assert result.score == 75.0
    assert result.auto_failed == ("c",)


def test_formula_evaluation_auto_fail_zeroes_everything():
    result = compute(rubric(auto_fail_a="evaluation"), {"a": 0.0, "b": 1.0, "c": 1.0, "d": 1.0})
    assert result.score == 0.0
    assert result.failed_evaluation
    assert result.sections["s2"] == 100.0  # sections still show what went right


def test_formula_auto_fail_needs_a_zero_not_a_partial():
    result = compute(rubric(auto_fail_c="section"), {"a": 1.0, "b": 1.0, "c": 0.5, "d": 1.0})
    assert result.sections["s2"] == pytest.approx(87.5)
    assert result.auto_failed == ()


def test_formula_auto_fail_on_na_does_not_fire():
    result = compute(rubric(auto_fail_c="evaluation"), {"a": 1.0, "b": 1.0, "c": None, "d": 1.0})
    assert result.score == 100.0
