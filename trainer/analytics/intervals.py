"""95% intervals around a mean score, so a figure built on few conversations looks uncertain.

Why the Wilson score interval (on the mean score as a fraction of the 0-100 scale) and not a
Student-t interval or a bootstrap:

- A score is bounded (0..100). For any value in [0, 1] with mean p the variance is at most
  p(1 - p) — the Bernoulli variance — so treating the mean as a success rate over n trials
  gives the *widest* spread a bounded score can have. The interval is never falsely precise.
- A t-interval or a bootstrap collapses to zero width when two or three conversations happen
  to score the same (sample spread 0): exactly the "precise-looking figure from few reviews"
  the scorecards must not show. Both are also undefined at n = 1; Wilson is not.
- Wilson stays inside the scale (no "101%" upper bound), is centred a little towards the
  middle for small n, and its width shrinks like 1/sqrt(n).

The price: with many conversations of very similar scores it is wider than a t-interval
would be. For a scorecard that errs on the honest side; it never hides a real difference
between agents with enough conversations behind them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean with its 95% interval and the number of values behind it (all on one scale)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def width(self) -> float | None:
        """high - low (None without values)."""
        return None if self.low is None or self.high is None else self.high - self.low


def wilson(fraction: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a success rate `fraction` (0..1) observed over `n` trials."""
    if n <= 0:
        raise ValueError("an interval needs at least one value")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{fraction} is outside 0..1")
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (fraction + z2 / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(fraction * (1 - fraction) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(values: Iterable[float | None], scale: float = 100.0) -> Interval:
    """The mean of the values (on 0..`scale`, missing ones left out) with its 95% Wilson
    interval on the same scale; an empty input gives an Interval of Nones with n = 0."""
    clean = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return interval_of(sum(clean) / len(clean) if clean else None, len(clean), scale)


def interval_of(mean: float | None, n: int, scale: float = 100.0) -> Interval:
    """The 95% interval of an already computed mean of `n` values on 0..`scale`."""
    if mean is None or n <= 0 or math.isnan(mean):
        return Interval(None, None, None, 0)
    fraction = min(1.0, max(0.0, mean / scale))
    low, high = wilson(fraction, n)
    return Interval(mean, low * scale, high * scale, n)
