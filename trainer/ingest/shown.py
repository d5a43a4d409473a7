"""How a value from an input file may appear in an error message: by its shape, not its content.

A field can hold a card number or a national id, and error messages reach logs, terminals and
API responses. So a message describes what it got ("a string of 42 characters"), and quotes a
value only when it is short and holds too few digits to be a sensitive number (a speaker label
such as 'Bob', a channel such as 'fax').
"""

from __future__ import annotations

import re

_MAX_QUOTED = 40
_DIGIT_RUN = re.compile(r"\d")
# A card has 13-19 digits and a national id or IBAN at least 8: fewer than 6 is safe to show.
_MAX_DIGITS = 5


def shape(value: object) -> str:
    """What kind of value this is, never its content: `a string of 42 characters`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"a string of {_count(len(value), 'character')}"
    if isinstance(value, dict):
        return f"an object with {_count(len(value), 'field')}"
    if isinstance(value, list | tuple):
        return f"a list of {_count(len(value), 'item')}"
    return f"a value of type {type(value).__name__}"


def showable(text: str) -> bool:
    """True for a short, printable string with too few digits to be a sensitive number."""
    return (
        len(text) <= _MAX_QUOTED
        and len(_DIGIT_RUN.findall(text)) <= _MAX_DIGITS
        and text.isprintable()
    )


def quoted(value: str) -> str:
    """`'Bob'` for a short, digit-poor string; its shape for anything that may be sensitive."""
    text = str(value)
    return repr(text) if showable(text) else f"({shape(text)})"


def seconds(value: float) -> str:
    """A time in seconds, rounded so that no run of digits in it could be (or be mistaken for) a
    long number such as a card's: `3`, `12.5`, `0.003906`, `1.23457e+07`."""
    if value != 0 and abs(value) < 1:
        return f"{value:.4g}"
    fixed = f"{value:.3f}".rstrip("0").rstrip(".")
    # Rounding can carry into an eighth digit (9999999.9996 -> 10000000).
    return fixed if len(fixed.lstrip("-").split(".")[0]) <= 7 else f"{value:.6g}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
