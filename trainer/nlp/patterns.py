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


class PatternBank:
    """Every named pattern set, compiled for one pipeline."""

    def __init__(self, nlp: Language, directory: Path = PATTERN_DIR) -> None:
        self.nlp = nlp
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.labels: set[str] = set()
        for path in sorted(directory.glob("*.yaml")):
            self._load_file(path)

    def _load_file(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for label, spec in data.items():
            if label in self.labels:
                raise ValueError(f"{path.name}: pattern set {label!r} is defined twice")
            self.labels.add(label)
            phrases = spec.get("phrases", [])
            if phrases:
                self.phrase_matcher.add(label, [self.nlp.make_doc(p) for p in phrases])
            patterns = spec.get("patterns", [])
            if patterns:
                self.matcher.add(label, patterns)

    def match(self, doc: Doc) -> dict[str, list[Span]]:
        """All matches in a doc grouped by set name, longest span kept where they overlap."""
        found: dict[str, list[Span]] = defaultdict(list)
        strings = self.nlp.vocab.strings
        spans = [
            Span(doc, start, end, label=strings[match_id])
            for matcher in (self.phrase_matcher, self.matcher)
            for match_id, start, end in matcher(doc)
        ]
        by_label: dict[str, list[Span]] = defaultdict(list)
        for span in spans:
            by_label[span.label_].append(span)
        for label, group in by_label.items():
            found[label] = sorted(filter_spans(group), key=lambda s: s.start)
        return found


@lru_cache(maxsize=4)
def load_patterns(nlp: Language) -> PatternBank:
    """The compiled bank for a pipeline (built once per process)."""
    return PatternBank(nlp)
