"""International bank account numbers (IBAN): "GB29 NWBK 6016 1331 9268 19", "GB29NWBK6016...",
"de89-3704-0044-0532-0130-00", and read aloud letter by letter with digits in words
("G B two nine N W B K six zero one six ...").

A candidate starts at a known country code followed by two check digits; its characters are
collected across single separators (space, dash, dot, or the spaces of a readout) up to exactly
that country's IBAN length, and it counts only when the ISO 13616 mod-97 check passes. So order
numbers, postcodes and product codes that merely look like one stay (a random string passes one
time in 97, and must first have the right country and length). Each candidate looks at most
34 characters ahead, so the time is linear in the text.
"""

from __future__ import annotations

import re

from trainer.privacy.checksums import IBAN_LENGTHS, iban_valid
from trainer.privacy.patterns import DIGIT_WORDS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})[ -]?(\d{2})", re.ASCII)
_SEPARATORS = " -."
# Spoken readout tokens: a lone letter, a digit word or a lone digit (case is not a signal).
_SPOKEN_WORD = "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
_SPOKEN = re.compile(
    rf"(?<![\w])(?:[a-z]|\d|{_SPOKEN_WORD})(?:[\s,.-]+(?:[a-z]|\d|{_SPOKEN_WORD})(?![\w])){{14,40}}",
    re.IGNORECASE,
)
_SPOKEN_TOKEN = re.compile(rf"\b(?:{_SPOKEN_WORD}|[a-z]|\d)\b", re.IGNORECASE)


@register("iban")
class IbanRecognizer(TrainerRecognizer):
    ENTITY = "IBAN_CODE"
    NAME = "iban"

    def find(self, text: str):
        for m in _START.finditer(text):
            length = IBAN_LENGTHS.get(m.group(1).upper())
            if length is None:
                continue
            end = _collect(text, m.start(), length)
            if end is not None:
                yield Hit(m.start(), end, 0.95, "IBAN with a valid mod-97 check")
        for m in _SPOKEN.finditer(text):
            yield from _spoken(text, m.start(), m.end())


def _collect(text: str, start: int, length: int) -> int | None:
    """Where an IBAN of `length` characters starting at `start` ends, if it is a valid one."""
    chars: list[str] = []
    i, limit = start, len(text)
    while i < limit and len(chars) < length:
        ch = text[i]
        if ch.isascii() and ch.isalnum():
            chars.append(ch)
            i += 1
        elif ch in _SEPARATORS and chars and i + 1 < limit and text[i + 1].isalnum():
            i += 1
        else:
            break
    if len(chars) != length or (i < limit and text[i].isalnum()):
        return None  # too short, or it runs on into a longer code
    return i if iban_valid("".join(chars)) else None


def _spoken(text: str, start: int, end: int):
    """Valid IBANs inside a run of spoken letters and digits ("G B two nine N W B K ...")."""
    tokens = [
        (t.start(), t.end(), DIGIT_WORDS.get(t.group().lower(), t.group()).upper())
        for t in _SPOKEN_TOKEN.finditer(text, start, end)
    ]
    for first in range(len(tokens) - 3):
        country = tokens[first][2] + tokens[first + 1][2]
        length = IBAN_LENGTHS.get(country)
        if length is None or not (tokens[first][2] + tokens[first + 1][2]).isalpha():
            continue
        chars, last = "", first
        while last < len(tokens) and len(chars) < length:
            chars += tokens[last][2]
            last += 1
        if len(chars) == length and iban_valid(chars):
            yield Hit(tokens[first][0], tokens[last - 1][1], 0.9, "IBAN read aloud (mod-97 valid)")
