"""Pattern banks: named sets of phrases and spaCy token patterns, loaded from YAML data files.

Each file in `trainer/nlp/patterns/` maps a set name to `phrases` (matched case-insensitively with a
PhraseMatcher) and/or `patterns` (spaCy Matcher token patterns). All files compile into one Matcher
and one PhraseMatcher, so each turn is matched once and every detector reads the cached result.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

PATTERN_DIR = Path(__file__).parent / "patterns"


TOKEN_GROUP = "__token_patterns__"


class PatternBank:
    """Every named pattern set, compiled for one pipeline.

    Phrase lists compile into one PhraseMatcher per file, so a turn is matched only against the
    files whose sets a detector actually reads (a chat scored with the QA rubric never runs the
    role-play phrases). Token patterns all share one Matcher: its cost is walking the doc's tokens
    in Python, which one matcher does once instead of once per file.
    """

    def __init__(self, nlp: Language, directory: Path = PATTERN_DIR) -> None:
        self.nlp = nlp
        self.phrase_matchers: dict[str, PhraseMatcher] = {}
        self.token_matcher = Matcher(nlp.vocab)
        self.groups_of: dict[str, tuple[str, ...]] = {}
        for path in sorted(directory.glob("*.yaml")):
            self._load_file(path)

    @property
    def labels(self) -> set[str]:
        """Every pattern set name."""
        return set(self.groups_of)

    def _load_file(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for label, spec in data.items():
            if label in self.groups_of:
                raise ValueError(f"{path.name}: pattern set {label!r} is defined twice")
            groups = []
            phrases = spec.get("phrases", [])
            if phrases:
                phrase_matcher.add(label, [self.nlp.make_doc(p) for p in phrases])
                groups.append(path.stem)
            patterns = spec.get("patterns", [])
            if patterns:
                self.token_matcher.add(label, patterns)
                groups.append(TOKEN_GROUP)
            self.groups_of[label] = tuple(groups)
        self.phrase_matchers[path.stem] = phrase_matcher

    def match_group(self, doc: Doc, name: str) -> dict[str, list[Span]]:
        """Raw matches of one group (a file's phrases, or every token pattern) by set name."""
        matcher = self.token_matcher if name == TOKEN_GROUP else self.phrase_matchers[name]
        strings = self.nlp.vocab.strings
        by_label: dict[str, list[Span]] = defaultdict(list)
        for match_id, start, end in matcher(doc):
            by_label[strings[match_id]].append(Span(doc, start, end, label=match_id))
        return by_label

    @staticmethod
    def combine(found: list[Span]) -> list[Span]:
        """Overlapping matches of one set reduced to the longest, in text order."""
        return sorted(filter_spans(found), key=lambda s: s.start)

    def match(self, doc: Doc) -> dict[str, list[Span]]:
        """All matches in a doc grouped by set name, longest span kept where they overlap."""
        raw: dict[str, list[Span]] = defaultdict(list)
        for name in [*self.phrase_matchers, TOKEN_GROUP]:
            for label, spans in self.match_group(doc, name).items():
                raw[label].extend(spans)
        return {label: self.combine(spans) for label, spans in raw.items()}


@lru_cache(maxsize=4)
def load_patterns(nlp: Language) -> PatternBank:
    """The compiled bank for a pipeline (built once per process)."""
    return PatternBank(nlp)
