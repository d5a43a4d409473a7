"""Calibration statistics: alpha against the `krippendorff` package on generated data with N/A
and missing ratings, alignment and deviations against hand-computed examples, spread."""

from __future__ import annotations

import math
import statistics

import krippendorff
import numpy as np
import pytest

from trainer.analytics.calibration import (
    AUTOMATIC,
    alignment,
    alpha,
    deviations,
    rating_table,
    spread,
    summarise,
)

LEVELS = [0.0, 0.5, 1.0]
CRITERIA = ["empathy", "clarity", "resolution", "follow-up"]
WEIGHTS = {"empathy": 3.0, "clarity": 2.0, "resolution": 1.0, "follow-up": 1.0}


def _generated(seed: int, raters: int = 4, conversations: int = 6):
    """Ratings of `raters` on conversations x CRITERIA: mostly the truth, some noise, some N/A
    (None) and some never rated (absent); the automatic scorer likewise."""
    rng = np.random.default_rng(seed)
    items = [(f"c-{i}", c) for i in range(conversations) for c in CRITERIA]
    truth = {item: float(rng.choice(LEVELS)) for item in items}

    def rater() -> dict:
        ratings: dict = {}
        for item in items:
            draw = rng.random()
            if draw < 0.1:
                continue  # not rated
            if draw < 0.2:
                ratings[item] = None  # N/A
            else:
                noisy = rng.random() < 0.3
                ratings[item] = float(rng.choice(LEVELS)) if noisy else truth[item]
        return ratings

    ratings = {f"r{i}": rater() for i in range(raters)}
    return ratings, rater(), items


def _reference(ratings: dict, raters: list[str], items: list) -> float:
    table = np.array(
        [[np.nan if ratings[r].get(i) is None else ratings[r][i] for i in items] for r in raters],
        dtype=float,
    )
    return float(krippendorff.alpha(reliability_data=table, level_of_measurement="interval"))


@pytest.mark.parametrize("seed", range(6))
def test_analytics_calibration_alpha_matches_krippendorff_with_missing_values(seed):
    ratings, automatic, _ = _generated(seed)
    summary = summarise(ratings, automatic, WEIGHTS, baseline="r0")
    raters = list(ratings)
    items = list(dict.fromkeys(i for per in ratings.values() for i in per))
    assert summary.overall["alpha"] == pytest.approx(_reference(ratings, raters, items), abs=1e-4)
    both = {**ratings, AUTOMATIC: automatic}
    expected = _reference(both, [*raters, AUTOMATIC], items)
    assert summary.overall["alpha_with_automatic"] == pytest.approx(expected, abs=1e-4)
    for row in summary.criteria:
        mine = [i for i in items if i[1] == row["criterion"]]
        assert row["alpha"] == pytest.approx(_reference(ratings, raters, mine), abs=1e-4)
        assert row["alpha_with_automatic"] == pytest.approx(
            _reference(both, [*raters, AUTOMATIC], mine), abs=1e-4
        )
        assert row["weight"] == WEIGHTS[row["criterion"]]


def test_analytics_calibration_rating_table_marks_na_and_missing_as_nan():
    ratings = {"a": {("c", "x"): 1.0, ("c", "y"): None}, "b": {("c", "y"): 0.5}}
    table = rating_table(ratings, ["a", "b", "nobody"], [("c", "x"), ("c", "y")])
    assert table[0][0] == 1.0 and math.isnan(table[0][1])
    assert math.isnan(table[1][0]) and table[1][1] == 0.5
    assert all(math.isnan(v) for v in table[2])


def test_analytics_calibration_alpha_is_null_with_too_little_data():
    one_unit = {"a": {("c", "x"): 1.0}, "b": {("c", "x"): 0.0}}
    assert alpha(one_unit, ["a", "b"], [("c", "x")]) == (1, None)  # one unit: undefined
    assert alpha(one_unit, ["a"], [("c", "x")]) == (0, None)  # one rater
    same = {r: {("c", "x"): 1.0, ("c", "y"): 1.0} for r in "ab"}
    assert alpha(same, ["a", "b"], [("c", "x"), ("c", "y")]) == (2, None)  # no variation
    summary = summarise({"a": {("c", "x"): 1.0}}, {}, WEIGHTS)
    assert summary.overall["alpha"] is None and summary.criteria[0]["alpha"] is None
    assert summary.alignment == {"a": None}  # no baseline: nothing to align with


def test_analytics_calibration_alignment_by_hand():
    # 1 - |r - b| weighted by the criterion weight: (3*1 + 2*0.5 + 1*0) / 6
    assert alignment([(1.0, 1.0, 3.0), (0.5, 1.0, 2.0), (1.0, 0.0, 1.0)]) == round(4 / 6, 4)
    # N/A (None or NaN) on either side leaves the item out entirely, weight and all
    assert alignment([(1.0, 1.0, 3.0), (None, 0.0, 2.0), (0.0, float("nan"), 5.0)]) == 1.0
    assert alignment([(None, 1.0, 1.0)]) is None
    assert alignment([]) is None


def test_analytics_calibration_summary_deviation_spread_and_alignment_by_hand():
    ratings = {
        "expert": {("c-1", "empathy"): 1.0, ("c-1", "clarity"): 0.5, ("c-2", "empathy"): 0.0},
        "ana": {("c-1", "empathy"): 0.5, ("c-1", "clarity"): None, ("c-2", "empathy"): 0.0},
        "ben": {("c-1", "empathy"): 0.0, ("c-1", "clarity"): 1.0},
    }
    automatic = {("c-1", "empathy"): 1.0, ("c-1", "clarity"): None}
    summary = summarise(ratings, automatic, WEIGHTS, baseline="expert")
    rows = {(r["conversation"], r["criterion"]): r for r in summary.items}
    first = rows[("c-1", "empathy")]
    assert first["values"] == {"expert": 1.0, "ana": 0.5, "ben": 0.0}
    assert first["baseline"] == 1.0 and first["deviation"] == {"ana": -0.5, "ben": -1.0}
    assert first["automatic"] == 1.0 and first["has_automatic"]
    assert first["spread"] == {
        "min": 0.0,
        "max": 1.0,
        "sd": round(statistics.pstdev([1.0, 0.5, 0.0]), 4),
    }
    clarity = rows[("c-1", "clarity")]
    assert clarity["deviation"] == {"ana": None, "ben": 0.5}  # ana said N/A
    assert clarity["automatic"] is None and clarity["has_automatic"]  # the machine said N/A
    assert clarity["spread"] == {"min": 0.5, "max": 1.0, "sd": 0.25}
    assert not rows[("c-2", "empathy")]["has_automatic"]
    # ana: empathy c-1 (w 3, 0.5 off), empathy c-2 (w 3, exact); clarity N/A left out
    # ben: empathy c-1 (w 3, 1.0 off), clarity c-1 (w 2, 0.5 off); c-2 not rated
    assert summary.alignment == {
        "ana": round((3 * 0.5 + 3 * 1.0) / 6, 4),
        "ben": round((3 * 0.0 + 2 * 0.5) / 5, 4),
    }


def test_analytics_calibration_spread_and_deviations_edges():
    assert spread([1.0]) is None and spread([None, 1.0, float("nan")]) is None
    assert spread([0.0, 1.0]).as_dict() == {"min": 0.0, "max": 1.0, "sd": 0.5}
    assert deviations({"a": 1.0, "b": None}, 0.5) == {"a": 0.5, "b": None}
    assert deviations({"a": 1.0}, None) == {"a": None}
