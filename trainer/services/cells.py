"""Spreadsheet cells that stay data: every CSV and Excel writer passes its values through
`safe_cell`, so a name, title or transcript line that starts like a formula (`=HYPERLINK(...)`,
`+cmd|...`, `@SUM(...)`) is shown as text when the file is opened, never evaluated (OWASP's
CSV injection advice: prefix such a cell with an apostrophe)."""

from __future__ import annotations

import re

# What spreadsheet programs read as the start of a formula or a command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number written as text ("-0.5", "+3"): no program evaluates it, and prefixing it
# would turn a number into a string for anyone reading the file back.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """`value` for a CSV or Excel cell: a string that a spreadsheet would run as a formula gets
    a leading apostrophe; numbers, dates, None and every other string are returned unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values) -> list:
    """Every value of a row through `safe_cell`."""
    return [safe_cell(value) for value in values]
