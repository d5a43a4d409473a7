"""The token-pattern prefilter finds exactly what spaCy's Matcher finds on the whole doc."""

from __future__ import annotations

import random

from trainer.nlp.patterns import TOKEN_GROUP, load_patterns
from trainer.nlp.pipeline import load_nlp
from trainer.nlp.prefilter import MIN_TOKENS, match_windows


def _pattern_words(bank) -> list[str]:
    """Words the shipped token patterns look for, plus numbers, punctuation and filler."""
    words = {"3", "5", "1-2", "24", ".", ",", "?", "Sorry", "Same", "Me", "I", "the", "weather"}
    labels = [label for label, groups in bank.groups_of.items() if TOKEN_GROUP in groups]
    for label in labels:
        for pattern in bank.token_matcher.get(label)[1]:
            for token in pattern:
                value = token.get("LOWER")
                if isinstance(value, str):
                    words.add(value)
                elif isinstance(value, dict):
                    words.update(value.get("IN", []))
    return sorted(words)


def test_nlp_prefilter_matches_like_the_whole_doc():
    nlp = load_nlp()
    bank = load_patterns(nlp)
    words = _pattern_words(bank)
    rng = random.Random(12)
    total = 0
    for _ in range(4):
        # Dense in pattern words (windows everywhere) or sparse (a few windows).
        density = rng.choice([1.0, 0.05])
        filler = ["and", "then", "we", "talked", "about", "it", "for", "a", "while"]
        text = " ".join(
            rng.choice(words) if rng.random() < density else rng.choice(filler)
            for _ in range(MIN_TOKENS * 2)
        )
        doc = nlp(text)
        assert len(doc) >= MIN_TOKENS
        expected = sorted(bank.token_matcher(doc))
        assert sorted(match_windows(bank.token_matcher, bank.token_windows, doc)) == expected
        total += len(expected)
    assert total > 0


def test_nlp_prefilter_skips_text_without_pattern_words():
    nlp = load_nlp()
    bank = load_patterns(nlp)
    doc = nlp("1-" * MIN_TOKENS)
    assert bank.token_windows.windows(doc) == []
    assert match_windows(bank.token_matcher, bank.token_windows, doc) == []
