"""Values no database or scorer can take, found anywhere inside parsed data.

JSON's `\\ud800` escape yields a lone UTF-16 surrogate that cannot be encoded as UTF-8 (storing it
raised UnicodeEncodeError and aborted a whole batch), `\\u0000` is refused by PostgreSQL text
columns, `1e999` parses as infinity and NaN/Infinity are accepted by Python's JSON reader. Each
is reported with the path of the field that holds it. The walk is iterative and bounded in depth,
so absurd nesting is an error, not a RecursionError.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from trainer.ingest.shown import showable

MAX_DEPTH = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """What is wrong, where (a list of keys and indexes), and how to fix it."""

    path: tuple
    message: str
    fix: str


def text_problem(text: str) -> tuple[str, str] | None:
    """(message, fix) when a string holds a lone surrogate or a NUL character, else None."""
    if _SURROGATE.search(text):
        return (
            "a lone UTF-16 surrogate (such as \\ud800) in the text",
            "save the file as UTF-8; escape characters outside the BMP as surrogate pairs",
        )
    if "\x00" in text:
        return "a NUL character (\\u0000) in the text", "remove the NUL characters"
    return None


def number_problem(value: float) -> tuple[str, str] | None:
    """(message, fix) for NaN or an infinity, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number (NaN or infinity)", "use an ordinary number or leave it out"
    return None


def first_problem(data: Any, max_depth: int = MAX_DEPTH, *, strings: bool = True) -> Problem | None:
    """The first bad value inside `data` (dicts, lists, strings, numbers), or None.

    `strings=False` skips the string checks, for JSON text without a single `\\u` escape (only
    an escape can put a surrogate or a NUL into JSON that decoded as UTF-8).
    """
    # Entries are (value, depth, parent entry, key): the path is rebuilt only for a problem.
    stack: list[tuple] = [(data, 0, None, None)]
    while stack:
        entry = stack.pop()
        value, depth = entry[0], entry[1]
        if isinstance(value, str):
            found = text_problem(value) if strings else None
        elif isinstance(value, float):
            found = number_problem(value)
        elif isinstance(value, dict | list | tuple):
            if depth >= max_depth:
                return Problem(
                    _path(entry),
                    f"nested more than {max_depth} levels deep",
                    "flatten the data; conversation files need only a few levels",
                )
            items = list(value.items() if isinstance(value, dict) else enumerate(value))
            for key, child in reversed(items):  # reversed: popped in document order
                if strings and isinstance(key, str) and (found := text_problem(key)):
                    # The key itself may not print (a lone surrogate): say where it is.
                    return Problem(_path(entry) + ("(a field name)",), *found)
                stack.append((child, depth + 1, entry, key))
            continue
        else:
            continue
        if found:
            return Problem(_path(entry), *found)
    return None


def _path(entry: tuple) -> tuple:
    parts = []
    while entry[2] is not None:
        key = entry[3]
        # A field name comes from the input too (YAML keys may be numbers): shown only when it
        # cannot be a card number. List positions are Trainer's own counting.
        is_field = isinstance(entry[2][0], dict)
        if is_field and not showable(str(key)):
            key = "(a field name)"
        parts.append(key)
        entry = entry[2]
    return tuple(reversed(parts))


def dotted(path: tuple) -> str:
    """`(2, "turns", 3, "text")` -> `[2].turns.3.text`; a leading index is a list position."""
    parts = [str(p) for p in path]
    if path and isinstance(path[0], int):
        parts[0] = f"[{path[0]}]"
    return ".".join(parts)
