"""Flesch reading ease with syllables from pyphen's bundled hyphenation dictionary.

textstat was dropped because it fetches the CMU dictionary from the internet on first use; pyphen
ships its dictionaries inside the wheel, so this works offline and the same everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_DICTIONARY = pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=50_000)
def syllables(word: str) -> int:
    """Syllables in one word: hyphenation points, checked against vowel groups for short words."""
    lower = word.lower()
    by_hyphens = len(_DICTIONARY.positions(lower)) + 1
    groups = len(_VOWEL_GROUPS.findall(lower))
    if lower.endswith("e") and not lower.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, by_hyphens, groups if len(lower) <= 6 else 0)


def flesch_reading_ease(text: str, sentences: int | None = None) -> float:
    """206.835 - 1.015 * words/sentence - 84.6 * syllables/word (higher is easier; 60+ is plain)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    if sentences is None:
        sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)) or 1)
    total = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * (len(words) / max(1, sentences)) - 84.6 * (total / len(words))
