"""Calibration statistics: how far reviewers who scored the same conversations blind agree with
each other, with the automatic scorer, and with the baseline (expert) reviewer. Pure functions
over plain values; the service (`trainer.services.calibration`) gathers them from the database.

A rating is a value in [0, 1], or None for N/A; a rater who did not score an item simply has no
entry. N/A and missing both leave an item out of every statistic (alpha sees them as missing).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trainer.analytics.agreement import interval_alpha

#: The name the automatic scorer has when it is shown as one more rater.
AUTOMATIC = "automatic"
#: An item rated in a calibration session: (conversation external id, criterion id).
Item = tuple[str, str]
Ratings = Mapping[str, Mapping[Item, float | None]]


def _number(value: float | None) -> float | None:
    """The value as a float, or None for N/A, missing or NaN."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class Spread:
    """Lowest, highest and standard deviation (population: the raters are all there is) of
    the reviewers' values on one item."""

    low: float
    high: float
    sd: float

    def as_dict(self) -> dict:
        """JSON form: {"min", "max", "sd"}."""
        return {"min": self.low, "max": self.high, "sd": self.sd}


def spread(values: Iterable[float | None]) -> Spread | None:
    """The spread of the values given (N/A and missing left out); None with fewer than two."""
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    if len(numbers) < 2:
        return None
    return Spread(
        low=round(min(numbers), 4),
        high=round(max(numbers), 4),
        sd=round(statistics.pstdev(numbers), 4),
    )


def deviations(
    values: Mapping[str, float | None], baseline: float | None
) -> dict[str, float | None]:
    """Each rater's value minus the baseline's (positive: scored higher than the expert);
    None where either is N/A or missing."""
    base = _number(baseline)
    result: dict[str, float | None] = {}
    for rater, value in values.items():
        number = _number(value)
        result[rater] = None if base is None or number is None else round(number - base, 4)
    return result


def alignment(pairs: Iterable[tuple[float | None, float | None, float]]) -> float | None:
    """MaestroQA-style alignment with the baseline: the weighted mean over items of
    1 - |reviewer - baseline|, from (reviewer value, baseline value, criterion weight) triples.
    Items where either side is N/A or missing are left out; None when none remain."""
    total = weighted = 0.0
    for value, base, weight in pairs:
        a, b = _number(value), _number(base)
        if a is None or b is None or weight <= 0:
            continue
        total += weight
        weighted += weight * (1.0 - abs(a - b))
    return None if total == 0 else round(weighted / total, 4)


def rating_table(ratings: Ratings, raters: list[str], items: list[Item]) -> list[list[float]]:
    """The raters x items table Krippendorff's alpha reads, NaN where a rater gave N/A or did
    not rate the item."""
    nan = float("nan")
    table = []
    for rater in raters:
        row = ratings.get(rater, {})
        table.append([v if (v := _number(row.get(item))) is not None else nan for item in items])
    return table


def alpha(ratings: Ratings, raters: list[str], items: list[Item]) -> tuple[int, float | None]:
    """(items rated by at least two raters, Krippendorff's alpha on the interval metric) over
    the given raters and items; alpha None when there is too little data or no variation."""
    if len(raters) < 2 or not items:
        return 0, None
    return interval_alpha(rating_table(ratings, raters, items))


@dataclass(frozen=True)
class Summary:
    """What `summarise` computes: per item values, spread and deviations; per criterion and
    overall alpha without and with the automatic scorer; per rater alignment."""

    items: list[dict]
    criteria: list[dict]
    overall: dict
    alignment: dict[str, float | None]


def summarise(
    ratings: Ratings,
    automatic: Mapping[Item, float | None],
    weights: Mapping[str, float],
    baseline: str | None = None,
) -> Summary:
    """The calibration results of `ratings` (rater -> {item: value or None for N/A}) beside the
    `automatic` scores, the rubric's criterion `weights` and the `baseline` rater's name.

    Items are every (conversation, criterion) any rater scored, in first-seen order. Per
    criterion, alpha's units are the conversations; overall, every item is a unit. The baseline
    is one of the raters (in spread and alpha); deviations and alignment are of the others.
    """
    raters = list(ratings)
    items: list[Item] = list(dict.fromkeys(i for per in ratings.values() for i in per))
    others = [r for r in raters if r != baseline]
    base = ratings.get(baseline, {}) if baseline else {}
    with_auto = {**ratings, AUTOMATIC: automatic}
    raters_auto = [*raters, AUTOMATIC]
    rows = []
    for item in items:
        values = {r: ratings[r][item] for r in raters if item in ratings[r]}
        base_value = base.get(item) if baseline and item in base else None
        rows.append(
            {
                "conversation": item[0],
                "criterion": item[1],
                "values": values,
                "automatic": automatic.get(item),
                "has_automatic": item in automatic,
                "baseline": base_value,
                "has_baseline": bool(baseline) and item in base,
                "deviation": deviations(
                    {r: v for r, v in values.items() if r != baseline}, base_value
                )
                if baseline
                else {},
                "spread": (s.as_dict() if (s := spread(values.values())) else None),
            }
        )
    criteria = []
    for criterion in dict.fromkeys(c for _, c in items):
        mine = [i for i in items if i[1] == criterion]
        units, value = alpha(ratings, raters, mine)
        units_auto, value_auto = alpha(with_auto, raters_auto, mine)
        criteria.append(
            {
                "criterion": criterion,
                "weight": weights.get(criterion, 1.0),
                "alpha": value,
                "units": units,
                "alpha_with_automatic": value_auto,
                "units_with_automatic": units_auto,
            }
        )
    units, value = alpha(ratings, raters, items)
    units_auto, value_auto = alpha(with_auto, raters_auto, items)
    overall = {
        "alpha": value,
        "units": units,
        "alpha_with_automatic": value_auto,
        "units_with_automatic": units_auto,
    }
    aligned = {
        r: alignment(
            (ratings[r][i], base[i], weights.get(i[1], 1.0))
            for i in items
            if i in ratings[r] and i in base
        )
        if baseline
        else None
        for r in others
    }
    return Summary(rows, criteria, overall, aligned)
