"""Dates of birth, typed or spoken, after "date of birth", "born on", "DOB", "birthday".

Date shapes: "3 March 1951", "the 3rd of March, 1951", "third of March nineteen fifty one",
"March third, fifty one", "March 3, 1951", "third of the third nineteen fifty one", "03/03/1951",
"1951-03-03", "March 1951", and digits read out ("oh three oh three nineteen fifty one").

With a birth word up to CONTEXT_WINDOW["dob"] words before (also from the previous turn), any of
these is a date of birth. With none, only a full date whose year makes the speaker an adult
(1900 to 16 years ago) is taken, at a lower score: a call rarely mentions another such date, while
delivery dates ("by Friday", "on the 3rd of June", "03/06/2026") stay.
"""

from __future__ import annotations

import re
from datetime import date

from trainer.privacy.context import context_before
from trainer.privacy.numbers import alternation, digit_runs
from trainer.privacy.patterns import DIGIT_WORDS, MONTHS, ORDINAL_WORDS, TEEN_WORDS, TENS_WORDS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_ONES = alternation(w for w, d in DIGIT_WORDS.items() if d != "0")
_TEENS = alternation(TEEN_WORDS)
_TENS = alternation(TENS_WORDS)
_ORD_ONES = alternation(w for w, n in ORDINAL_WORDS.items() if n < 10)
_ORD_DAY = rf"(?:(?:twenty|thirty)[\s-]?(?:{_ORD_ONES})|{alternation(ORDINAL_WORDS)})"
_CARD_DAY = rf"(?:(?:twenty|thirty)[\s-]?(?:{_ONES})|{_TEENS}|twenty|thirty|{_ONES})"
_DAY = rf"(?:the\s+)?(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|{_ORD_DAY}|{_CARD_DAY})"
_MONTH = rf"(?:{alternation(MONTHS)})\.?"
_MONTH_ORD = rf"(?:the\s+)?(?:{alternation(w for w, n in ORDINAL_WORDS.items() if n <= 12)})"
_YEAR_WORDS = (
    rf"(?:nineteen|twenty)[\s-]+(?:(?:oh|o)[\s-]+(?:{_ONES})|{_TEENS}|(?:{_TENS})(?:[\s-]+(?:{_ONES}))?"
    rf"|hundred)"
    rf"|two\s+thousand(?:\s+and)?(?:\s+(?:{_TEENS}|(?:{_TENS})(?:[\s-]+(?:{_ONES}))?|{_ONES}))?"
)


def _year(name: str) -> str:
    return (
        rf"(?P<{name}>(?:19|20)\d{{2}}|'\d{{2}}|{_YEAR_WORDS}"
        rf"|(?:{_TENS})(?:[\s-]+(?:{_ONES}))?|(?:oh|o)[\s-]+(?:{_ONES}))"
    )


# Possessive: a long run of blanks is read once, not split every way between the two runs.
_SEP = r"\s*+,?\s*+"
_NUM_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_DATE = re.compile(
    rf"""
    (?<![\w/.-])(?:
        {_DAY}(?:\s+of)?\s+{_MONTH}(?:{_SEP}{_year("year1")})?
      | {_MONTH}\s+{_DAY}(?:{_SEP}{_year("year2")})?
      | {_DAY}\s+of\s+{_MONTH_ORD}(?:{_SEP}{_year("year3")})?
      | {_MONTH}{_SEP}(?P<year_only>(?:19|20)\d{{2}}|{_YEAR_WORDS})
      | {_NUM_DAY}(?P<sep>[/.-]){_NUM_DAY}(?P=sep)(?P<numyear>(?:19|20)?\d{{2}})
      | (?P<isoyear>(?:19|20)\d{{2}})-(?:0[1-9]|1[0-2])-(?:[0-2]\d|3[01])
    )(?![\w/])
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YEAR_GROUPS = ("year1", "year2", "year3", "numyear", "isoyear")
# Every branch of _DATE holds one of these: a month name or "of (the) <ordinal up to twelfth>"
# after a non-word character, or a digit, a separator and a digit. A cheap scan for them skips
# _DATE's slow walk (its many alternatives are tried at every position) over text that cannot
# hold a date.
_ORDINAL_MONTHS = alternation(w for w, n in ORDINAL_WORDS.items() if n <= 12)
DATE_ANCHOR = re.compile(
    rf"(?<!\w)(?:{alternation(MONTHS)}|of\s+(?:the\s+)?(?:{_ORDINAL_MONTHS}))|\d[/.-]\d",
    re.IGNORECASE,
)


def date_matches(text: str):
    """_DATE's matches in `text`, exactly, found faster where `DATE_ANCHOR` rules them out."""
    if DATE_ANCHOR.search(text) is None:
        return iter(())
    return _DATE.finditer(text)


@register("date_of_birth")
class DateOfBirthRecognizer(TrainerRecognizer):
    ENTITY = "DATE_OF_BIRTH"
    NAME = "date_of_birth"

    def find(self, text: str):
        for m in date_matches(text):
            if context_before(text, m.start(), "dob"):
                yield Hit(m.start(), m.end(), 0.85, "date after a birth word")
                continue
            if m.group("year_only"):
                continue
            raw = next((g for g in _YEAR_GROUPS if m.group(g)), None)
            year = _year_value(m.group(raw) if raw else None)
            if year and 1900 <= year <= date.today().year - 16:
                yield Hit(m.start(), m.end(), 0.5, "full date with an adult's birth year")
        for run in digit_runs(text):
            if len(run.digits) in (6, 8) and context_before(text, run.start, "dob"):
                yield Hit(run.start, run.end, 0.8, "date digits after a birth word")


_WORD_VALUES = {
    **{w: int(d) for w, d in DIGIT_WORDS.items()},
    **{w: int(d) for w, d in TEEN_WORDS.items()},
}
_WORD_VALUES.update({w: int(d) * 10 for w, d in TENS_WORDS.items()})


def _year_value(raw: str | None) -> int | None:
    """1951 from "1951", "'51", "nineteen fifty one", "two thousand and three" or "fifty one"."""
    if not raw:
        return None
    raw = raw.strip().lower()
    if raw.isdigit():
        value = int(raw)
        return value if len(raw) == 4 else _century(value)
    if raw.startswith("'") and raw[1:].isdigit():
        return _century(int(raw[1:]))
    words = [w for w in re.split(r"[\s-]+", raw) if w and w != "and"]
    if words[:2] == ["two", "thousand"]:
        return 2000 + sum(_WORD_VALUES.get(w, 0) for w in words[2:])
    if words[0] in ("nineteen", "twenty") and len(words) > 1:
        if words[1] == "hundred":
            return 1900 if words[0] == "nineteen" else 2000
        return (19 if words[0] == "nineteen" else 20) * 100 + sum(
            _WORD_VALUES.get(w, 0) for w in words[1:]
        )
    if all(w in _WORD_VALUES for w in words):
        return _century(sum(_WORD_VALUES[w] for w in words))
    return None


def _century(two_digits: int) -> int:
    """A two-digit birth year: 51 -> 1951, 05 -> 2005 (whichever is not in the future)."""
    this_year = date.today().year
    return 2000 + two_digits if 2000 + two_digits <= this_year else 1900 + two_digits
