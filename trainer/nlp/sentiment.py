"""Sentence sentiment from VADER (Hutto & Gilbert, 2014): a lexicon and rules tuned for short
social-media text, shipped inside the `vadersentiment` package (nothing is downloaded).

`compound` is VADER's normalised score, -1 (most negative) to +1 (most positive), 0 neutral.
"""

from __future__ import annotations

from functools import lru_cache

MAX_CHARS = 5000  # a very long turn: its opening is enough to judge its tone, and VADER is O(n)


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=4096)
def compound(text: str) -> float:
    """VADER's compound sentiment of `text`, -1 to +1 (0 for empty text)."""
    text = text.strip()[:MAX_CHARS]
    if not text:
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])
