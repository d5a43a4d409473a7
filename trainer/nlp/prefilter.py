"""Run spaCy's token Matcher on a long doc only where a pattern could match.

spaCy's Matcher costs about ten microseconds per token even where nothing matches (every
pattern's first-token predicates run in Python on every token), so a 200,000-token turn takes
seconds. Every pattern has tokens it cannot match without ("sorry", "hours|days|weeks"): a match
lies within the pattern's longest length of such a token, and all its other required tokens lie
in the same stretch. `MatchWindows` finds those stretches with numpy over the doc's attribute
arrays, and the Matcher runs on their union only. The matches are exactly those of the whole doc:
a match lies inside some stretch, and what the Matcher finds inside a stretch is a real match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_PUNCT, LIKE_NUM, LOWER, SENT_START, SHAPE
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Shorter docs go to the Matcher whole: the arrays cost more than they save there.
MIN_TOKENS = 2000
_ATTRS = (LOWER, SENT_START, LIKE_NUM, IS_PUNCT, SHAPE)
_COLUMN = {"LOWER": 0, "ORTH": 0, "TEXT": 0, "IS_SENT_START": 1, "LIKE_NUM": 2, "IS_PUNCT": 3}
_SHAPE_COLUMN = 4
_QUANTIFIER = re.compile(r"^\{(\d*),?(\d*)\}$")


@dataclass(frozen=True)
class _Token:
    """One token of a pattern as the prefilter reads it."""

    tests: tuple[tuple[int, str, frozenset], ...]  # (column, kind, values), all must hold
    low: int  # fewest tokens it matches
    high: int | None  # most tokens it matches; None: unbounded ("*", "+")
    repeat_set: bool  # an unbounded token constrained by a word set (bounded per doc)


def _read_token(vocab: Vocab, spec: dict) -> _Token | None:
    tests = []
    for key, value in spec.items():
        if key in ("LOWER", "ORTH", "TEXT"):
            words = value if isinstance(value, str) else None
            if isinstance(value, dict) and set(value) == {"IN"}:
                words = value["IN"]
            if words is not None:
                words = [words] if isinstance(words, str) else words
                hashes = frozenset(vocab.strings.add(w.lower()) for w in words)
                tests.append((_COLUMN[key], "in", hashes))
        elif key == "SHAPE" and isinstance(value, (str, dict)):
            shapes = [value] if isinstance(value, str) else value.get("IN")
            if isinstance(value, dict) and set(value) != {"IN"}:
                shapes = None
            if shapes:
                tests.append((_SHAPE_COLUMN, "in", frozenset(vocab.strings.add(s) for s in shapes)))
        elif key in ("IS_SENT_START", "LIKE_NUM", "IS_PUNCT") and isinstance(value, bool):
            tests.append((_COLUMN[key], "true" if value else "false", frozenset()))
    op = spec.get("OP")
    if op in (None, "1", "!"):
        low, high = (1, 1) if op != "!" else (0, 1)
        if op == "!":
            tests = []  # a negated token constrains nothing we can look for
    elif op == "?":
        low, high = 0, 1
    elif op in ("*", "+"):
        low, high = (0 if op == "*" else 1), None
    else:
        quantified = _QUANTIFIER.match(str(op))
        if not quantified:
            return None
        low = int(quantified.group(1) or 0)
        high = int(quantified.group(2)) if quantified.group(2) else None
        if "," not in str(op):
            high = low
    repeat_set = high is None and any(kind == "in" for _, kind, _ in tests)
    return _Token(tuple(tests), low, high, repeat_set)


class MatchWindows:
    """The stretches of a doc where any of a Matcher's token patterns could match."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.patterns: list[list[_Token]] = []
        self.everywhere = False  # some pattern has nothing to look for: run on the whole doc
        # Short docs: one Matcher per pattern, run only when the doc holds every word the
        # pattern cannot match without (most turns hold none: the Matcher is then skipped).
        self.singles: list[tuple[tuple[frozenset, ...], Matcher]] = []
        self.anchors: set = set()
        # Anchor word -> the singles whose first required set holds it, and the singles that
        # require no word (run on every doc): a doc's candidates come from its own words.
        self._by_anchor: dict[int, list[int]] = {}
        self._always: list[int] = []

    def add(self, patterns: list[list[dict]], label: str | None = None) -> None:
        """Register token patterns (the same lists given to Matcher.add, under `label`)."""
        for pattern in patterns:
            tokens = [_read_token(self.vocab, spec) for spec in pattern]
            if any(t is None for t in tokens) or not any(t.tests and t.low for t in tokens):
                self.everywhere = True
            else:
                self.patterns.append(tokens)
            if label is not None:
                single = Matcher(self.vocab)
                single.add(label, [pattern])
                required = _required_words(tokens)
                self.singles.append((required, single))
                # A doc holding no word of `anchors` can match none of the patterns (each
                # requires one of its first required set), unless one requires no word at all.
                index = len(self.singles) - 1
                if required:
                    self.anchors |= required[0]
                    for word in required[0]:
                        self._by_anchor.setdefault(word, []).append(index)
                else:
                    self._always.append(index)

    def short_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match_id, start, end) of every registered pattern on a short doc: the same matches
        as the combined Matcher, running only the patterns whose required words occur."""
        words = set(doc.to_array(LOWER).tolist())
        found: list[tuple[int, int, int]] = []
        present = words.intersection(self.anchors)
        if not present and not self._always:
            return found
        candidates = set(self._always)
        for word in present:
            candidates.update(self._by_anchor[word])
        for index in sorted(candidates):  # registration order, as the combined Matcher's
            required, single = self.singles[index]
            if all(not w.isdisjoint(words) for w in required[1:]):
                found.extend(single(doc))
        return found

    def windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Disjoint [start, end) token ranges, in order, holding every possible match."""
        if self.everywhere:
            return [(0, len(doc))]
        n = len(doc)
        table = doc.to_array(list(_ATTRS)).reshape(n, len(_ATTRS))
        masks: dict[tuple, np.ndarray] = {}
        marks = np.zeros(n + 1, dtype=np.int64)  # +1 where a window opens, -1 where it closes
        for tokens in self.patterns:
            required = [self._mask(table, t, masks) for t in tokens if t.tests and t.low]
            length = sum(self._most(table, t, masks) for t in tokens)
            anchor = min(range(len(required)), key=lambda i: int(required[i].sum()))
            where = np.flatnonzero(required[anchor])
            if not len(where):
                continue
            low = np.maximum(where - (length - 1), 0)
            high = np.minimum(where + length, n)
            keep = np.ones(len(where), dtype=bool)
            for index, mask in enumerate(required):
                if index != anchor:
                    counts = np.concatenate(([0], np.cumsum(mask)))
                    keep &= counts[high] - counts[low] > 0
            np.add.at(marks, low[keep], 1)
            np.add.at(marks, high[keep], -1)
        covered = np.cumsum(marks[:n]) > 0
        edges = np.flatnonzero(np.diff(np.concatenate(([0], covered.astype(np.int8), [0]))))
        return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]

    def _mask(self, table: np.ndarray, token: _Token, masks: dict) -> np.ndarray:
        key = token.tests
        mask = masks.get(key)
        if mask is None:
            mask = np.ones(len(table), dtype=bool)
            for column, kind, values in token.tests:
                values_column = table[:, column]
                if kind == "in":
                    mask &= np.isin(values_column, np.fromiter(values, dtype=np.uint64))
                elif column == 1:  # sentence start: 1; the doc's first token always is one
                    starts = values_column == 1
                    starts[:1] = True
                    mask &= starts if kind == "true" else ~starts
                else:
                    mask &= (values_column == 1) if kind == "true" else (values_column != 1)
            masks[key] = mask
        return mask

    def _most(self, table: np.ndarray, token: _Token, masks: dict) -> int:
        """The most tokens `token` can take in this doc: an unbounded repeat of a word set takes
        at most the longest run of those words here (else anything: the whole doc)."""
        if token.high is not None:
            return token.high
        if not token.repeat_set:
            return len(table)
        mask = self._mask(table, _Token(token.tests, 1, 1, False), masks)
        return max(token.low, _longest_run(mask))


def _required_words(tokens: list[_Token | None]) -> tuple[frozenset, ...]:
    """Word sets (lower-case hashes) a pattern cannot match without: one per required token
    tested on its text; a pattern that cannot be read requires nothing."""
    if any(t is None for t in tokens):
        return ()
    return tuple(
        values
        for t in tokens
        if t.low
        for column, kind, values in t.tests
        if column == 0 and kind == "in"
    )


def _longest_run(mask: np.ndarray) -> int:
    """Length of the longest stretch of True in a boolean array."""
    if not mask.any():
        return 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max())


def match_windows(matcher: Matcher, windows: MatchWindows, doc: Doc) -> list[tuple[int, int, int]]:
    """(match_id, start, end) of `matcher` on `doc`, exactly as matcher(doc) finds them, reading
    only the stretches that could hold a match when the doc is long."""
    if len(doc) < MIN_TOKENS:
        if windows.singles:
            return windows.short_matches(doc)
        return matcher(doc)
    found = []
    for start, end in windows.windows(doc):
        found.extend((key, start + s, start + e) for key, s, e in matcher(doc[start:end]))
    return found
