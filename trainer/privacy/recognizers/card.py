"""Payment card numbers read aloud or typed in broken-up groups.

Presidio's CreditCardRecognizer already finds typed numbers in the usual 4-4-4-4 shapes. This one
covers what a transcript does to them: spoken digits ("four one one one ..."), "double four",
"oh" for zero, odd groupings ("4111, 111, 111"), mixed words and numerals, and partial readouts
where ASR dropped digits.

A run of digits is a card number when
  * a stretch of it is 13-19 digits and passes the Luhn check (even with no context), or
  * it has 8+ digits and a card word ("card number", "long number on the front", "visa") comes
    shortly before it, or
  * it is grouped like a card (3+ groups led by a 4-digit group starting 2-6, or four 4-digit
    groups) or is a 15-19 digit spoken readout,
and an identifier word ("order", "tracking number") is not nearer than any card word. A run that
needs homophones ("for two for two") counts only through the checksum or a card word.
"""

from __future__ import annotations

from trainer.privacy.context import context_before, negated
from trainer.privacy.numbers import card_window, digit_runs
from trainer.privacy.patterns import CARD_PREFIXES
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer


@register("card_readout")
class CardReadoutRecognizer(TrainerRecognizer):
    ENTITY = "CREDIT_CARD"
    NAME = "card_readout"

    def find(self, text: str):
        for run in digit_runs(text):
            count = len(run.digits)
            if count < 8:
                continue
            window = card_window(run)
            if window:
                yield Hit(*window, 0.9, "Luhn-valid card-length number")
            if negated(text, run.start, "card"):
                continue
            if context_before(text, run.start, "card"):
                yield Hit(run.start, run.end, 0.8, "8+ digits after a card word")
            elif run.guessed:
                continue  # "one to two to three ...": homophones alone never make a card
            elif _grouped_like_card(run.groups) or (run.spoken and 15 <= count <= 19):
                yield Hit(run.start, run.end, 0.6, "digits grouped or read like a card number")


def _grouped_like_card(groups: tuple[str, ...]) -> bool:
    total = sum(len(g) for g in groups)
    if len(groups) >= 4 and all(len(g) == 4 for g in groups[:4]) and total <= 19:
        return True
    return (
        len(groups) >= 3
        and len(groups[0]) == 4
        and groups[0].startswith(CARD_PREFIXES)
        and 10 <= total <= 19
    )
