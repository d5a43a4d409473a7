"""Card expiry dates soon after "expiry", "expires", "valid thru" and the like (also from the
previous turn): "04/27", "04/2027", "04 27", "oh four twenty seven", "April 2027",
"April twenty twenty seven", "April of twenty seven".

Only with an expiry word: a month and year on their own are an ordinary date.
"""

from __future__ import annotations

import re

from trainer.privacy.context import context_before
from trainer.privacy.numbers import alternation, digit_runs
from trainer.privacy.patterns import DIGIT_WORDS, MONTHS, TEEN_WORDS, TENS_WORDS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_ONES = alternation(w for w, d in DIGIT_WORDS.items() if d != "0")
_TWO_DIGIT_WORDS = (
    rf"(?:(?:{alternation(TENS_WORDS)})(?:[\s-]+(?:{_ONES}))?|{alternation(TEEN_WORDS)})"
)
_YEAR = rf"(?:20\d{{2}}|\d{{2}}|(?:twenty[\s-]+)?{_TWO_DIGIT_WORDS})"
_TYPED = re.compile(r"(?<![\w/])(?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20\d{2}|\d{2})(?![\w/])")
_MONTH_YEAR = re.compile(
    rf"(?<!\w)(?:{alternation(MONTHS)})\.?(?:\s+of)?,?\s+{_YEAR}(?!\w)", re.IGNORECASE
)


@register("card_expiry")
class CardExpiryRecognizer(TrainerRecognizer):
    ENTITY = "CARD_EXPIRY"
    NAME = "card_expiry"

    def find(self, text: str):
        for pattern, why in ((_TYPED, "month/year"), (_MONTH_YEAR, "month and year")):
            for m in pattern.finditer(text):
                if context_before(text, m.start(), "expiry"):
                    yield Hit(m.start(), m.end(), 0.85, f"{why} after an expiry word")
        for run in digit_runs(text):
            if len(run.digits) in (3, 4, 6) and _month_first(run.digits):
                if context_before(text, run.start, "expiry"):
                    yield Hit(run.start, run.end, 0.8, "digits read as month and year")


def _month_first(digits: str) -> bool:
    """'0427', '427', '042027': a month 1-12 then a year."""
    month = digits[:-4] if len(digits) == 6 else digits[:-2]
    return month.isdigit() and 1 <= int(month) <= 12
