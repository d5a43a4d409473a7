"""Context words: the phrases that say what a nearby number is ("card number", "order")."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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
def _matches(text: str, category: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Starts and ends of `category`'s phrases in text order (matches never overlap, so the
    ends are sorted too and a position finds its nearest phrase by bisection)."""
    spans = [m.span() for m in _REGEX[category].finditer(text)]
    return tuple(s for s, _ in spans), tuple(e for _, e in spans)


@lru_cache(maxsize=64)
def _word_starts(text: str) -> tuple[int, ...]:
    """Where each word of `text` starts, so counting words between two places is a bisection."""
    return tuple(m.start() for m in _WORD.finditer(text))


@lru_cache(maxsize=64)
def _long_numbers(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Starts of the digit runs of 3+ digits (sorted) and, from each, the smallest end of any
    such run starting there or later: "is a whole number inside [a, b]" in one bisection."""
    runs = sorted((r.start, r.end) for r in digit_runs(text) if len(r.digits) >= 3)
    ends: list[int] = []
    for _, end in reversed(runs):
        ends.append(min(end, ends[-1]) if ends else end)
    return tuple(s for s, _ in runs), tuple(reversed(ends))


def clear_caches() -> None:
    """Forget the texts cached while redacting (they hold unredacted personal data)."""
    _matches.cache_clear()
    _word_starts.cache_clear()
    _long_numbers.cache_clear()
    digit_runs.cache_clear()


def words_between(text: str, start: int, end: int, limit: int | None = None) -> int:
    """How many words lie in text[start:end] (counting stops past `limit`, when given)."""
    if end <= start:
        return 0
    starts = _word_starts(text)
    count = 0
    for m in _WORD.finditer(text, start, end):
        index = bisect_left(starts, m.start())
        if index < len(starts) and starts[index] == m.start():
            # From a word start of the whole text on, the slice splits into the same words.
            return count + bisect_left(starts, end) - index
        count += 1  # the tail of a word cut at `start` ("card's" -> "s")
        if limit is not None and count > limit:
            break
    return count


def context_before(
    text: str, pos: int, category: str, window: int | None = None
) -> tuple[int, int] | None:
    """The nearest `category` phrase ending at or before `pos`, at most `window` words away.

    Only the last phrase ending by `pos` can be it: an earlier one has at least as many words
    and numbers between it and `pos`.
    """
    limit = CONTEXT_WINDOW[category] if window is None else window
    starts, ends = _matches(text, category)
    index = bisect_right(ends, pos) - 1
    if index < 0:
        return None
    start, end = starts[index], ends[index]
    if words_between(text, end, pos, limit) <= limit and not _number_between(text, end, pos):
        return start, end
    return None


def _number_between(text: str, start: int, end: int) -> bool:
    """A number of 3+ digits between a context phrase and `end` took that context for itself
    ("card 4111 1111 1111 1111, email ..., call 555-0148": "card" is not about 555-0148)."""
    starts, min_ends = _long_numbers(text)
    index = bisect_left(starts, start)
    return index < len(starts) and min_ends[index] <= end


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
