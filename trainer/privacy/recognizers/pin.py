"""PINs, passcodes and one-time codes: 4-8 digits (numeric or spoken) soon after "PIN",
"passcode", "one-time code", "the code we sent" and the like, also when the question was in the
previous turn ("What's the code we just texted you?" / "It's four eight two nine one three.")."""

from __future__ import annotations

from trainer.privacy.context import context_before, negated
from trainer.privacy.numbers import digit_runs
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer


@register("pin")
class PinRecognizer(TrainerRecognizer):
    ENTITY = "PIN_CODE"
    NAME = "pin"

    def find(self, text: str):
        for run in digit_runs(text):
            if not 4 <= len(run.digits) <= 8:
                continue
            if context_before(text, run.start, "pin") and not negated(text, run.start, "pin"):
                yield Hit(run.start, run.end, 0.85, "4-8 digits after a PIN or passcode word")
