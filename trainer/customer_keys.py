"""Who a customer is, as repeat contacts are matched: a reference (the source's customer id or
email) trimmed and case-folded, else a name with accents, case and punctuation folded. Plain
Python, used by first-contact resolution and stored with each conversation (`customer_key`) so
the database finds a customer's contacts by an index."""

from __future__ import annotations

import re
import unicodedata

# Names a source writes when it does not know the customer: never evidence of the same person.
PLACEHOLDER_NAMES = frozenset(
    {"customer", "caller", "client", "unknown", "anonymous", "guest", "visitor", "user", "n/a"}
)
_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
# Short enough for the customer_key column whatever the name (names are at most 200 chars,
# but NFKD can lengthen one).
MAX_KEY = 200


def name_key(name: object) -> str | None:
    """A customer name as compared: accents and case folded, punctuation dropped, spaces
    collapsed ("  Dana  RUIZ." -> "dana ruiz"); None for empty or placeholder names."""
    if not isinstance(name, str):
        return None
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    key = _SPACES.sub(" ", _NOT_WORD.sub(" ", folded.casefold())).strip()
    if not key or key in PLACEHOLDER_NAMES:
        return None
    return key[:MAX_KEY]


def ref_key(ref: object) -> str | None:
    """A customer reference as compared (trimmed, case-folded); None when empty."""
    if not isinstance(ref, str) or not ref.strip():
        return None
    return ref.strip().casefold()
