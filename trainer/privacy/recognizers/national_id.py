"""National identity numbers: US Social Security numbers and UK National Insurance numbers.

Presidio's UsSsnRecognizer and UkNinoRecognizer find the typed forms (and discard well-known
sample numbers). This recognizer adds
  * SSNs typed as 3-2-4 digits with any of space, dot or dash between (never discarded),
  * numbers read after "social security", "SSN", "national insurance": 9 digits, or the 4 of
    "the last four of your social",
  * NI numbers read aloud: two letters, six digits (words or numerals), a letter A-D.
"""

from __future__ import annotations

import re

from trainer.privacy.context import context_before
from trainer.privacy.numbers import digit_runs
from trainer.privacy.patterns import DIGIT_WORDS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_DIGIT = r"(?:\d|" + "|".join(sorted(DIGIT_WORDS, key=len, reverse=True)) + r")"
_SEP = r"[\s.,-]*"
_LAST_FOUR = re.compile(r"\blast\s+(?:four|4)\b", re.IGNORECASE)
_SSN = re.compile(r"(?<![\w-])\d{3}([- .])\d{2}\1\d{4}(?![\w-])")
# Two letters, six digits, one letter A-D; letters spoken or typed, digits words or numerals.
_NINO = re.compile(
    rf"(?<![\w])(?P<prefix>[a-z]{_SEP}[a-z]){_SEP}(?:{_DIGIT}{_SEP}){{5}}{_DIGIT}{_SEP}"
    rf"(?P<suffix>[a-d])(?![\w])",
    re.IGNORECASE,
)


@register("national_id")
class NationalIdRecognizer(TrainerRecognizer):
    ENTITY = "NATIONAL_ID"
    NAME = "national_id"

    def find(self, text: str):
        for m in _SSN.finditer(text):
            score = 0.9 if context_before(text, m.start(), "national_id") else 0.6
            yield Hit(m.start(), m.end(), score, "SSN-shaped 3-2-4 digits")
        for run in digit_runs(text):
            if len(run.digits) not in (4, 9):
                continue
            context = context_before(text, run.start, "national_id")
            if context is None:
                continue
            if len(run.digits) == 4 and not _LAST_FOUR.search(
                text, max(0, context[0] - 60), run.end + 60
            ):
                continue  # 4 digits only as "the last four of your social"
            yield Hit(run.start, run.end, 0.9, "digits after a national-id word")
        for m in _NINO.finditer(text):
            letters = re.sub(r"[^A-Za-z]", "", m.group("prefix")) + m.group("suffix")
            if letters.isupper() or context_before(text, m.start(), "national_id"):
                yield Hit(m.start(), m.end(), 0.7, "National Insurance number shape")
