"""Phone numbers read aloud ("five five five, zero one four eight") or typed in groups.

Presidio's PhoneRecognizer (python-phonenumbers) finds typed numbers that are valid for a region.
This recognizer adds spoken and mixed readouts and typed local numbers ("555-0148"): a run of
7-15 digits is a phone number when a phone word comes shortly before it ("call me on", "my
number is"), or, with no context, when it is grouped the way people read phone numbers (3-4,
3-3-4, 5-6, ...) or is a 10-11 digit spoken readout. An identifier word nearer than any phone
word ("order number 3348917502") keeps the number, and a nearer card, security-code, national-id,
birth-date or zip-code word leaves it to that recognizer.
"""

from __future__ import annotations

import re

from trainer.privacy.context import nearest_category
from trainer.privacy.numbers import digit_runs
from trainer.privacy.patterns import PHONE_COMPETING, PHONE_GROUPINGS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_COUNTRY = re.compile(r"(?:\+|\bplus\s+)$", re.IGNORECASE)


@register("phone_readout")
class PhoneReadoutRecognizer(TrainerRecognizer):
    ENTITY = "PHONE_NUMBER"
    NAME = "phone_readout"

    def find(self, text: str):
        for run in digit_runs(text):
            count = len(run.digits)
            if not 7 <= count <= 15:
                continue
            nearest = nearest_category(text, run.start, PHONE_COMPETING)
            if nearest not in (None, "phone"):
                continue  # "card number ...", "order 3348917502", "social security number ..."
            start = run.start
            prefix = _COUNTRY.search(text, max(0, start - 6), start)
            if prefix:
                start = prefix.start()
            if nearest == "phone":
                yield Hit(start, run.end, 0.85, "7-15 digits after a phone word")
            elif run.grouping in PHONE_GROUPINGS:
                yield Hit(start, run.end, 0.6, "digits grouped like a phone number")
            elif run.spoken and len(run.groups) == 1 and count in (10, 11):
                yield Hit(start, run.end, 0.5, "10-11 digits read out one by one")
