"""Pattern banks: named sets of phrases and spaCy token patterns, loaded from YAML data files.

Each file in `trainer/nlp/patterns/` maps a set name to `phrases` (matched case-insensitively with a
PhraseMatcher) and/or `patterns` (spaCy Matcher token patterns). All files compile into one Matcher
and one PhraseMatcher, so each turn is matched once and every detector reads the cached result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from trainer.errors import PatternError
from trainer.ingest.shown import showable
from trainer.nlp.prefilter import MatchWindows, match_windows
from trainer.validation import read_yaml_file

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
        self.token_windows = MatchWindows(nlp.vocab)  # where in a long doc it can match
        self.groups_of: dict[str, tuple[str, ...]] = {}
        for path in sorted(directory.glob("*.yaml")):
            self._load_file(path)

    @property
    def labels(self) -> set[str]:
        """Every pattern set name."""
        return set(self.groups_of)

    def _load_file(self, path: Path) -> None:
        data = read_yaml_file(path, PatternError) or {}
        if not isinstance(data, dict):
            raise PatternError(
                "a pattern file must map set names to their phrases and patterns", where=str(path)
            )
        phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for label, spec in data.items():
            # A set name is shown only when it cannot be a long number (trainer.ingest.shown).
            shown = label if showable(str(label)) else "(a set name)"
            where = f"{path}: {shown}"
            if label in self.groups_of:
                raise PatternError(f"pattern set {label!r} is defined twice", where=where)
            phrases, patterns = _checked_spec(label, spec, where)
            groups = []
            if phrases:
                phrase_matcher.add(label, [self.nlp.make_doc(p) for p in phrases])
                groups.append(path.stem)
            if patterns:
                try:
                    self.token_matcher.add(label, patterns)
                    self.token_windows.add(patterns, label)
                except (ValueError, KeyError, TypeError) as exc:
                    # spaCy's own message names the bad token attribute on its first line.
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
                    raise PatternError(
                        f"bad token pattern: {first[:200]}", where=f"{where}.patterns"
                    ) from None
                groups.append(TOKEN_GROUP)
            self.groups_of[label] = tuple(groups)
        self.phrase_matchers[path.stem] = phrase_matcher

    def match_group(self, doc: Doc, name: str) -> dict[str, list[Span]]:
        """Raw matches of one group (a file's phrases, or every token pattern) by set name."""
        if name == TOKEN_GROUP:
            found = match_windows(self.token_matcher, self.token_windows, doc)
        else:
            found = self.phrase_matchers[name](doc)
        strings = self.nlp.vocab.strings
        by_label: dict[str, list[Span]] = defaultdict(list)
        for match_id, start, end in found:
            by_label[strings[match_id]].append(Span(doc, start, end, label=match_id))
        return by_label

    @staticmethod
    def combine(found: Sequence[Span]) -> list[Span]:
        """Overlapping matches of one set reduced to the longest, in text order."""
        if len(found) < 2:  # nothing can overlap
            return list(found)
        return sorted(filter_spans(found), key=lambda s: s.start)

    def match(self, doc: Doc) -> dict[str, list[Span]]:
        """All matches in a doc grouped by set name, longest span kept where they overlap."""
        raw: dict[str, list[Span]] = defaultdict(list)
        for name in [*self.phrase_matchers, TOKEN_GROUP]:
            for label, spans in self.match_group(doc, name).items():
                raw[label].extend(spans)
        return {label: self.combine(spans) for label, spans in raw.items()}


def _checked_spec(label: object, spec: object, where: str) -> tuple[list, list]:
    """(phrases, token patterns) of one set, or PatternError saying which part is malformed."""
    if not isinstance(label, str) or not label.strip():
        raise PatternError("a pattern set name must be a non-empty string", where=where)
    if not isinstance(spec, dict):
        raise PatternError(
            "a pattern set must be a mapping with phrases and/or patterns", where=where
        )
    phrases = spec.get("phrases") or []
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise PatternError("phrases must be a list of non-empty strings", where=f"{where}.phrases")
    patterns = spec.get("patterns") or []
    if not isinstance(patterns, list) or not all(
        isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in patterns
    ):
        raise PatternError(
            "patterns must be a list of token patterns (lists of mappings)",
            where=f"{where}.patterns",
        )
    return phrases, patterns


@lru_cache(maxsize=4)
def load_patterns(nlp: Language) -> PatternBank:
    """The compiled bank for a pipeline (built once per process)."""
    return PatternBank(nlp)
