"""Card security codes: 3-4 digits (numeric or spoken) soon after "security code", "CVV", "CVC",
"three digits on the back" and the like, including when the question was in the previous turn.
"""

from __future__ import annotations

from trainer.privacy.context import context_before
from trainer.privacy.numbers import digit_runs
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer


@register("security_code")
class SecurityCodeRecognizer(TrainerRecognizer):
    ENTITY = "CARD_SECURITY_CODE"
    NAME = "security_code"

    def find(self, text: str):
        for run in digit_runs(text):
            if 3 <= len(run.digits) <= 4 and context_before(text, run.start, "cvv"):
                yield Hit(run.start, run.end, 0.85, "3-4 digits after a security-code word")
