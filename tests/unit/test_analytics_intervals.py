"""The 95% interval of a mean score: known Wilson values, never zero width for a few equal
scores, inside the scale, and narrower as more conversations stand behind it."""

from __future__ import annotations

import pytest

from trainer.analytics.intervals import Interval, interval_of, mean_interval, wilson


def test_analytics_intervals_wilson_known_values():
    # 5 of 10: the textbook Wilson interval 0.2366..0.7634
    low, high = wilson(0.5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    # 8 of 10: 0.4902..0.9433
    low, high = wilson(0.8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    # all of one: wide, never past the top of the scale
    low, high = wilson(1.0, 1)
    assert low == pytest.approx(0.2065, abs=1e-4) and high == 1.0


def test_analytics_intervals_width_shrinks_with_n():
    widths = [interval_of(75.0, n).width for n in (1, 2, 5, 10, 50, 200, 1000)]
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False))
    assert widths[0] > 40 and widths[-1] < 6
    # like 1/sqrt(n) once n is large: four times the conversations, about half the width
    assert interval_of(75.0, 400).width / interval_of(75.0, 1600).width == pytest.approx(2, 0.05)


def test_analytics_intervals_equal_scores_still_look_uncertain():
    few = mean_interval([90.0, 90.0])
    assert few.mean == 90.0 and few.n == 2
    assert few.width > 30  # a t-interval would be zero wide here
    assert 0.0 <= few.low < 90.0 < few.high <= 100.0


def test_analytics_intervals_missing_values_and_bad_input():
    assert mean_interval([None, float("nan")]) == Interval(None, None, None, 0)
    assert mean_interval([50.0, None, 70.0]).n == 2
    assert interval_of(None, 3).width is None
    with pytest.raises(ValueError):
        wilson(0.5, 0)
    with pytest.raises(ValueError):
        wilson(1.5, 3)
