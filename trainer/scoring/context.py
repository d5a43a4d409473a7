"""What every detector reads: the conversation, its turns parsed once, and the pattern matches."""

from __future__ import annotations

import re
from functools import cached_property
from itertools import accumulate

from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc, Span

from trainer.conversation import Conversation, Evidence, Turn
from trainer.nlp.patterns import PatternBank, load_patterns
from trainer.nlp.pipeline import load_nlp
from trainer.privacy.config import NAME_PLACEHOLDER

_FIRST_NAME = re.compile(r"[A-Za-z][A-Za-z'\-]+")


class ScoringContext:
    """One conversation prepared for scoring; detectors share its parsed docs and matches."""

    def __init__(self, conversation: Conversation, nlp: Language | None = None) -> None:
        self.conversation = conversation
        self.nlp = nlp or load_nlp()
        self.bank: PatternBank = load_patterns(self.nlp)
        self._matches: dict[tuple[int, str], dict[str, list[Span]]] = {}  # (turn, group)
        self._combined: dict[tuple[int, str], list[Span]] = {}  # (turn, set name)

    @property
    def turns(self) -> list[Turn]:
        """The conversation's turns."""
        return self.conversation.turns

    @cached_property
    def docs(self) -> list[Doc]:
        """One spaCy doc per turn, parsed once."""
        return list(self.nlp.pipe(t.text for t in self.turns))

    @cached_property
    def _prefix_counts(self) -> list[tuple[list[int], list[int]]]:
        # Per doc, running counts of words (neither punctuation nor space) and of non-punctuation
        # tokens: detectors count them per turn and per sentence without building Token objects.
        counts = []
        for doc in self.docs:
            flags = doc.to_array([IS_PUNCT, IS_SPACE]).tolist() if len(doc) else []
            words = [0, *accumulate(not p and not sp for p, sp in flags)]
            non_punct = [0, *accumulate(not p for p, _ in flags)]
            counts.append((words, non_punct))
        return counts

    def word_count(self, index: int, start: int = 0, end: int | None = None) -> int:
        """Tokens that are neither punctuation nor space in turn `index` (tokens start..end)."""
        words = self._prefix_counts[index][0]
        return words[len(words) - 1 if end is None else end] - words[start]

    def non_punct_count(self, index: int, start: int = 0, end: int | None = None) -> int:
        """Tokens that are not punctuation in turn `index` (tokens start..end)."""
        non_punct = self._prefix_counts[index][1]
        return non_punct[len(non_punct) - 1 if end is None else end] - non_punct[start]

    def _group(self, index: int, group: str) -> dict[str, list[Span]]:
        key = (index, group)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = self.bank.match_group(self.docs[index], group)
        return found

    def find(self, index: int, label: str) -> list[Span]:
        """Spans of pattern set `label` in turn `index` (each turn is matched on first use)."""
        key = (index, label)
        spans = self._combined.get(key)
        if spans is None:
            groups = self.bank.groups_of.get(label)
            if groups is None:
                raise KeyError(f"no pattern set named {label!r}")
            raw = [s for g in groups for s in self._group(index, g).get(label, ())]
            spans = self._combined[key] = self.bank.combine(raw)
        return spans

    def find_all(self, label: str, speaker: str | None = None) -> list[tuple[int, Span]]:
        """(turn index, span) for every match of `label`, optionally in one speaker's turns."""
        return [
            (i, span)
            for i, turn in enumerate(self.turns)
            if speaker is None or turn.speaker == speaker
            for span in self.find(i, label)
        ]

    def indices(self, speaker: str) -> list[int]:
        """Indices of the turns one speaker said."""
        return [i for i, t in enumerate(self.turns) if t.speaker == speaker]

    def evidence(self, index: int, span: Span | tuple[int, int] | None = None) -> Evidence:
        """Evidence for a span (spaCy Span or char range) of turn `index`; whole turn if None."""
        text = self.turns[index].text
        if span is None:
            start, end = 0, len(text)
        elif isinstance(span, Span):
            start, end = span.start_char, span.end_char
        else:
            start, end = span
        return Evidence(index, start, end, text[start:end])

    @cached_property
    def customer_first_name(self) -> str | None:
        """The customer's first name, from the conversation's metadata or a self-introduction."""
        if self.conversation.customer:
            match = _FIRST_NAME.search(self.conversation.customer)
            if match and match.group(0).lower() not in {"customer", "caller", "client", "unknown"}:
                return match.group(0)
        for i in self.indices("customer"):
            for span in self.find(i, "self_introduction"):
                following = self.docs[i][span.end : span.end + 3]
                if len(following) and following[0].is_title:
                    return following[0].text
                if following.text == NAME_PLACEHOLDER:  # TRAINER_REDACT_NAMES took it out
                    return NAME_PLACEHOLDER
        return None
