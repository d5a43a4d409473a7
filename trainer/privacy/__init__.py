"""Privacy: redact personal data (cards, security codes, national ids, phones, emails, addresses,
dates of birth) from chat and call transcripts before anything is stored.

Storage rule: store `Redaction.text` / the redacted Conversation; store the unredacted original
only when `store_unredacted_allowed()` (TRAINER_STORE_UNREDACTED=1).
"""

from trainer.privacy.config import (
    ALL_KINDS,
    ENV_KINDS,
    ENV_STORE_UNREDACTED,
    KINDS,
    RedactionConfigError,
    kinds_from_env,
    parse_kinds,
    store_unredacted_allowed,
)
from trainer.privacy.redact import (
    RedactedSpan,
    Redaction,
    Redactor,
    TurnRedaction,
    redact_conversation,
)

__all__ = [
    "ALL_KINDS",
    "ENV_KINDS",
    "ENV_STORE_UNREDACTED",
    "KINDS",
    "Redaction",
    "RedactedSpan",
    "RedactionConfigError",
    "Redactor",
    "TurnRedaction",
    "kinds_from_env",
    "parse_kinds",
    "redact_conversation",
    "store_unredacted_allowed",
]
