"""How input values appear in error messages: times rounded so that no digit run looks like (or
is) a card number; strings quoted only when short and digit-poor."""

from __future__ import annotations

import re

import pytest

from trainer.ingest.shown import quoted, seconds, shape

LONG_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){7,}")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.0, "3"),
        (12.5, "12.5"),
        (0.0, "0"),
        (0.00390625, "0.003906"),  # the fuzz suite's find: eight digits in a row before
        (1234567.891, "1234567.891"),
        (4111111111111111.0, "4.11111e+15"),
        (-2.0, "-2"),
    ],
)
def test_shown_seconds_round_times(value, shown):
    assert seconds(value) == shown


@pytest.mark.parametrize("value", [0.00390625, 1 / 3, 9999999.999999, 1e-9, 4111111111111111.0])
def test_shown_seconds_never_show_a_long_digit_run(value):
    assert not LONG_DIGIT_RUN.search(seconds(value))


def test_shown_quotes_only_short_digit_poor_strings():
    assert quoted("Bob") == "'Bob'"
    assert quoted("4111 1111 1111 1111") == "(a string of 19 characters)"
    assert shape({"a": 1}) == "an object with 1 field"
