"""Digit runs (typed, spoken, broken-up) and the Luhn check under the card recognizers."""

from __future__ import annotations

import pytest

from trainer.privacy.numbers import digit_runs, luhn_valid, luhn_window


def runs(text: str) -> list[tuple[str, tuple[int, ...], str]]:
    return [(r.digits, r.grouping, text[r.start : r.end]) for r in digit_runs(text)]


@pytest.mark.parametrize(
    ("text", "digits", "grouping"),
    [
        ("4111, 111, 111", "4111111111", (4, 3, 3)),
        ("4111 1111 1111 1111", "4111111111111111", (4, 4, 4, 4)),
        ("four one one one", "4111", (4,)),
        ("four one one one, 1111", "41111111", (4, 4)),
        ("4-1-1-1, 1-1-1-1", "41111111", (4, 4)),
        ("five five five, zero one four eight", "5550148", (3, 4)),
        ("double four triple one oh nine", "4411109", (7,)),
        ("one eight hundred five five five", "1800555", (7,)),
        ("forty one eleven", "4111", (4,)),
        ("nineteen fifty one", "1951", (4,)),
        ("(415) 555-0148", "4155550148", (3, 3, 4)),
        ("four one, um, one one", "4111", (2, 2)),
    ],
)
def test_runs_read_numbers_in_every_shape(text, digits, grouping):
    assert runs(text) == [(digits, grouping, text.strip())]


@pytest.mark.parametrize(
    "text",
    [
        "$94.00",
        "£1,200.50",
        "8am",
        "10:30",
        "20%",
        "CS-48213",
        "A1234",
        "3rd",
        "03/03/1951",
        "04/27",
    ],
)
def test_money_times_dates_and_codes_are_not_runs(text):
    assert runs(text) == []


def test_words_end_a_run():
    assert [r[0] for r in runs("card 4111 1111 and 123 for order 33")] == ["41111111", "123", "33"]


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert luhn_valid("5500000000000004")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("")


def test_luhn_window_ignores_a_leading_oh_and_trailing_digits():
    text = "oh, 4111 1111 1111 1111 123"
    (run,) = digit_runs(text)
    start, end = luhn_window(run)
    assert text[start:end] == "4111 1111 1111 1111"
