"""Context words: the phrases that say what a nearby number is ("card number", "order")."""

from __future__ import annotations

import re
from functools import lru_cache

from trainer.privacy.numbers import digit_runs
from trainer.privacy.patterns import CONTEXT, CONTEXT_WINDOW


def phrase_regex(phrases) -> re.Pattern:
    """One case-insensitive whole-word regex for a list of phrases, longest first."""
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = [re.escape(w) for w in phrase.split()]
        parts.append(r"[\s-]+".join(words))
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


_REGEX = {category: phrase_regex(phrases) for category, phrases in CONTEXT.items()}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@lru_cache(maxsize=256)
def _matches(text: str, category: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _REGEX[category].finditer(text))


def clear_caches() -> None:
    """Forget the texts cached while redacting (they hold unredacted personal data)."""
    _matches.cache_clear()
    digit_runs.cache_clear()


def words_between(text: str, start: int, end: int) -> int:
    """How many words lie in text[start:end]."""
    return len(_WORD.findall(text, start, end)) if end > start else 0


def context_before(
    text: str, pos: int, category: str, window: int | None = None
) -> tuple[int, int] | None:
    """The nearest `category` phrase ending at or before `pos`, at most `window` words away."""
    limit = CONTEXT_WINDOW[category] if window is None else window
    best: tuple[int, int] | None = None
    for start, end in _matches(text, category):
        if end > pos:
            break
        if words_between(text, end, pos) <= limit and not _number_between(text, end, pos):
            if best is None or end > best[1] or (end == best[1] and start < best[0]):
                best = (start, end)
    return best


def _number_between(text: str, start: int, end: int) -> bool:
    """A number of 3+ digits between a context phrase and `end` took that context for itself
    ("card 4111 1111 1111 1111, email ..., call 555-0148": "card" is not about 555-0148)."""
    return any(
        start <= run.start and run.end <= end and len(run.digits) >= 3 for run in digit_runs(text)
    )


def nearest_category(text: str, pos: int, categories) -> str | None:
    """Which of `categories` has the context phrase nearest before `pos` (None: no context).

    The nearer phrase wins; when two end together the longer one does, so "order number" beats
    "number" and "card number" beats "number".
    """
    best: tuple[int, int, str] | None = None
    for category in categories:
        found = context_before(text, pos, category)
        if found and (best is None or (found[1], -found[0]) > (best[0], -best[1])):
            best = (found[1], found[0], category)
    return best[2] if best else None


def negated(text: str, pos: int, category: str) -> bool:
    """True when an identifier word ("order", "case number") is nearer before `pos` than any
    `category` phrase."""
    return nearest_category(text, pos, (category, "not_pii")) == "not_pii"
