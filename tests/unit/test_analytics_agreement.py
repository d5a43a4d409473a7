"""The agreement statistics against the reference implementations (the `krippendorff` package,
scikit-learn's cohen_kappa_score) on generated data with missing (N/A) values."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from trainer.analytics.agreement import interval_alpha, pair_agreement

LEVELS = np.array([0.0, 0.5, 1.0])


def _generated(seed: int, n: int = 60, noise: float = 0.3, missing: float = 0.15):
    rng = np.random.default_rng(seed)
    truth = rng.choice(LEVELS, size=n)
    other = np.where(rng.random(n) < noise, rng.choice(LEVELS, size=n), truth)
    truth[rng.random(n) < missing] = np.nan
    other[rng.random(n) < missing] = np.nan
    return truth, other


@pytest.mark.parametrize("seed", range(5))
def test_analytics_agreement_pairs_match_sklearn_and_numpy(seed):
    auto, human = _generated(seed)
    result = pair_agreement(list(auto), list(human))
    both = ~np.isnan(auto) & ~np.isnan(human)
    a, h = auto[both], human[both]
    assert result.n == int(both.sum())
    assert result.exact == pytest.approx(float(np.mean(a == h)), abs=1e-4)
    assert result.mad == pytest.approx(float(np.mean(np.abs(a - h))), abs=1e-4)
    expected = cohen_kappa_score([f"{x:.2f}" for x in a], [f"{x:.2f}" for x in h])
    assert result.kappa == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_analytics_agreement_alpha_matches_krippendorff(seed):
    rng = np.random.default_rng(100 + seed)
    truth = rng.choice(LEVELS, size=40)
    raters = np.vstack(
        [np.where(rng.random(40) < 0.25, rng.choice(LEVELS, 40), truth) for _ in range(3)]
    )
    raters[rng.random(raters.shape) < 0.2] = np.nan
    units, alpha = interval_alpha(raters.tolist())
    assert units == int(np.sum(np.sum(~np.isnan(raters), axis=0) >= 2))
    expected = krippendorff.alpha(reliability_data=raters, level_of_measurement="interval")
    assert alpha == pytest.approx(expected, abs=1e-4)


def test_analytics_agreement_too_little_data_is_none_not_a_number():
    assert pair_agreement([1.0, math.nan], [1.0, 0.5]) is None  # one usable pair
    same = pair_agreement([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert same.exact == 1.0 and same.mad == 0.0 and same.kappa is None  # one level: undefined
    assert interval_alpha([[1.0, math.nan], [math.nan, 0.5]]) == (0, None)  # no shared unit
    assert interval_alpha([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]) == (3, None)  # no variation
    assert interval_alpha([]) == (0, None)
