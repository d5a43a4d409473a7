"""Agreement statistics: how far the automatic scorer agrees with the people who review, and how
far reviewers agree with each other. Pure functions over plain numbers (NaN = missing or N/A);
Krippendorff's alpha comes from the maintained `krippendorff` package, Cohen's kappa from
scikit-learn."""

from __future__ import annotations

import math
from dataclasses import dataclass

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

#: Fewer pairs (or units) than this and a statistic is not reported (None).
MIN_PAIRS = 2


@dataclass(frozen=True)
class PairAgreement:
    """Automatic vs human on the same items: how many, exact agreement, mean absolute
    difference, Cohen's kappa over the score levels (None when it is undefined)."""

    n: int
    exact: float
    mad: float
    kappa: float | None

    def as_dict(self) -> dict:
        """JSON form."""
        return {"n": self.n, "exact": self.exact, "mad": self.mad, "kappa": self.kappa}


def _level(value: float) -> str:
    # Score levels are the rubric's scale points; two decimals tell them apart.
    return f"{value:.2f}"


def pair_agreement(auto: list[float], human: list[float]) -> PairAgreement | None:
    """Agreement between two raters on the same items; items where either is missing (NaN or
    None) are left out. None when fewer than MIN_PAIRS remain."""
    pairs = [
        (float(a), float(h))
        for a, h in zip(auto, human, strict=True)
        if a is not None and h is not None and not math.isnan(a) and not math.isnan(h)
    ]
    if len(pairs) < MIN_PAIRS:
        return None
    a = np.array([p[0] for p in pairs])
    h = np.array([p[1] for p in pairs])
    levels_a, levels_h = [_level(x) for x in a], [_level(x) for x in h]
    kappa = None
    if len(set(levels_a) | set(levels_h)) > 1:
        value = float(cohen_kappa_score(levels_a, levels_h))
        kappa = None if math.isnan(value) else round(value, 4)
    return PairAgreement(
        n=len(pairs),
        exact=round(float(np.mean(np.isclose(a, h))), 4),
        mad=round(float(np.mean(np.abs(a - h))), 4),
        kappa=kappa,
    )


def interval_alpha(ratings: list[list[float]]) -> tuple[int, float | None]:
    """(units rated by at least two raters, Krippendorff's alpha on the interval metric) for a
    raters x units table with NaN where a rater did not rate a unit; alpha None when fewer than
    MIN_PAIRS units have two ratings or every rating is the same (alpha is undefined)."""
    table = np.array(ratings, dtype=float)
    if table.ndim != 2 or table.size == 0:
        return 0, None
    paired = int(np.sum(np.sum(~np.isnan(table), axis=0) >= 2))
    if paired < MIN_PAIRS:
        return paired, None
    values = table[~np.isnan(table)]
    if np.allclose(values, values[0]):
        return paired, None
    alpha = krippendorff.alpha(reliability_data=table, level_of_measurement="interval")
    return paired, None if math.isnan(alpha) else round(float(alpha), 4)
