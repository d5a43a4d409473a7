"""Street addresses: "14 Birch Road", "6821 1st Ave", "221B Baker Street", "fourteen birch road",
"six eight two one first avenue, apartment 4B", plus what follows them (unit, "City, ST 12345",
UK postcode), PO boxes, UK postcodes on their own, and ZIP/post codes read after "zip code".

A house number (numerals, optionally with a letter, or number words) must be followed by one to
four street-name words and a street suffix (STREET_SUFFIXES). Name words may not be everyday
function words or units ("3 times on the way" is no address): see STREET_STOPWORDS. After a
suffix that is also an everyday word (AMBIGUOUS_SUFFIXES: way, place, court, ...) the street name
must be capitalized or an address word ("live at", "ship to") must come shortly before.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from trainer.privacy.context import context_before
from trainer.privacy.numbers import alternation, digit_runs
from trainer.privacy.patterns import (
    AMBIGUOUS_SUFFIXES,
    DIGIT_WORDS,
    DIRECTIONS,
    ORDINAL_WORDS,
    STREET_STOPWORDS,
    STREET_SUFFIXES,
    TEEN_WORDS,
    TENS_WORDS,
    UNIT_WORDS,
)
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_NUMBER_WORD = alternation([*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, "hundred", "thousand"])
# A house number said in words has a few of them ("twenty one hundred and five"); unbounded,
# every word of a long spoken readout would start a scan to its end (quadratic in the text).
_MAX_HOUSE_WORDS = 8
_HOUSE = (
    rf"(?:\d{{1,6}}(?:-\d{{1,6}})?(?:\s?[a-h](?![\w']))?"
    rf"|(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}|and)){{0,{_MAX_HOUSE_WORDS - 1}}}"
    rf"(?:\s+[a-h](?![\w']))?)"
)
# Spaces, an optional comma, spaces: possessive, so a long run of blanks is read once and not
# split every way between the two runs (what follows is never a blank).
_COMMA = r"\s*+,?\s*+"
_ORDINAL = rf"(?:\d{{1,3}}(?:st|nd|rd|th)|{alternation(ORDINAL_WORDS)})"
_NAME_WORD = rf"(?!(?:{alternation(STREET_STOPWORDS)})\b)(?:{_ORDINAL}|[a-z][a-z'.-]*)"
_SUFFIX = rf"(?:{alternation(STREET_SUFFIXES)})\b\.?"
_DIRECTION = rf"(?:{alternation(DIRECTIONS)})\.?"
_UK_POSTCODE = r"(?-i:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
_UNIT = rf"(?:{_COMMA}(?:(?:{alternation(UNIT_WORDS)})\.?\s*+\#?|\#)\s*+[a-z0-9-]{{1,6}}\b)"
_CITY = r"(?-i:[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
_REGION_TAIL = (
    rf"(?:\s*,\s*{_CITY}(?:\s*,\s*(?-i:[A-Z]{{2}}))?\s+\d{{5}}(?:-\d{{4}})?\b"
    rf"|{_COMMA}(?:{_CITY}{_COMMA})?\b{_UK_POSTCODE}\b)"
)
_STREET = re.compile(
    rf"""
    (?<![\w$£€#.-])
    {_HOUSE}
    (?:\s*+,\s++|\s++)(?:{_DIRECTION}\s+)?
    (?P<names>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}?)
    \s+(?P<suffix>{_SUFFIX})
    (?:\s+{_DIRECTION}(?![\w']))?
    {_UNIT}?
    {_REGION_TAIL}?
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every street match holds a suffix word. A match starts at most ~15 whitespace-separated words
# before it (house number words, a letter, a direction, four name words) and its tail (unit,
# city, postcode) ends within a few dozen characters after it, so the street pattern only runs
# in windows around suffix words: text without them costs one quick scan.
_SUFFIX_WORD = re.compile(rf"(?<![\w'.-]){_SUFFIX}", re.IGNORECASE)
_WORDS_BEFORE = 20
_CHARS_AFTER = 300
_NON_BLANKS = re.compile(r"\S+")
_BROADWAY = re.compile(r"(?<![\w$£€#.-])\d{1,6}[a-h]?\s+broadway\b", re.IGNORECASE)
_PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*\#?\s*\d{1,8}\b", re.IGNORECASE
)
_POSTCODE = re.compile(rf"(?<![\w-]){_UK_POSTCODE}(?![\w-])")
_POSTCODE_ANY_CASE = re.compile(
    r"(?<![\w-])[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}(?![\w-])", re.IGNORECASE
)


@register("street_address")
class StreetAddressRecognizer(TrainerRecognizer):
    ENTITY = "STREET_ADDRESS"
    NAME = "street_address"

    def find(self, text: str):
        for m in _street_matches(text):
            suffix = m.group("suffix").rstrip(".").lower()
            if suffix in AMBIGUOUS_SUFFIXES and not (
                m.group("names")[0].isupper()
                or m.group("names")[0].isdigit()
                or context_before(text, m.start(), "address")
            ):
                continue  # "in one simple way", "a five star place"
            yield Hit(m.start(), m.end(), 0.8, "house number, street name and suffix")
        for regex in (_BROADWAY, _PO_BOX):
            for m in regex.finditer(text):
                yield Hit(m.start(), m.end(), 0.8, "house number or PO box")
        for m in _POSTCODE.finditer(text):
            yield Hit(m.start(), m.end(), 0.6, "UK postcode")
        for m in _POSTCODE_ANY_CASE.finditer(text):
            if context_before(text, m.start(), "postcode"):
                yield Hit(m.start(), m.end(), 0.8, "postcode after a postcode word")
        for run in digit_runs(text):
            if len(run.digits) in (5, 9) and context_before(text, run.start, "postcode"):
                yield Hit(run.start, run.end, 0.8, "ZIP code after a zip-code word")


def _street_matches(text: str):
    """_STREET's matches, searched only in merged windows around suffix words."""
    windows: list[list[int]] = []
    word_starts: list[int] | None = None
    for suffix in _SUFFIX_WORD.finditer(text):
        if word_starts is None:
            word_starts = [0, *(m.start() for m in _NON_BLANKS.finditer(text))]
        index = bisect_left(word_starts, suffix.start())
        low = word_starts[max(0, index - _WORDS_BEFORE)]
        high = min(len(text), suffix.end() + _CHARS_AFTER)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    for low, high in windows:
        yield from _STREET.finditer(text, low, high)
