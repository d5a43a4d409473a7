"""The bounded tokenizer: exactly the text, spaCy's tokens wherever a run is ordinary, and time
linear in the length on runs of punctuation (spaCy's own is quadratic there)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.nlp.pipeline import load_nlp
from trainer.nlp.tokenizer import _RISKY, BoundedTokenizer
from trainer.privacy.engine import load_redaction_nlp

ALPHABET = "ab1 (!?.,'\"-\n\t:/@"


def _plain():
    return load_nlp().tokenizer.tokenizer


def test_tokenizer_both_pipelines_are_bounded():
    assert isinstance(load_nlp().tokenizer, BoundedTokenizer)
    assert isinstance(load_redaction_nlp().tokenizer, BoundedTokenizer)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_tokenizer_keeps_the_text_and_spacy_tokens_on_ordinary_runs(text):
    doc = load_nlp().tokenizer(text)
    assert doc.text == text
    if not _RISKY.search(text):
        assert [t.text for t in doc] == [t.text for t in _plain()(text)]


def test_tokenizer_cuts_a_risky_run_into_words_and_marks():
    text = "so angry ((((((((x now  and https://example.com/" + "a" * 70 + " end"
    doc = load_nlp().tokenizer(text)
    assert doc.text == text
    words = [t.text for t in doc]
    assert words[:4] == ["so", "angry", "(", "("]
    assert words[words.index("x") + 1] == "now"  # one space after a token is its whitespace
    assert words[-10:-2] == ["https", ":", "/", "/", "example", ".", "com", "/"]
    assert words[-1] == "end"
    # Ordinary words around the run keep spaCy's tokens ("don't" -> "do", "n't").
    assert [t.text for t in load_nlp().tokenizer("don't " + "!" * 8)][:2] == ["do", "n't"]


def _cpu(tokenizer, text: str) -> float:
    started = time.process_time()
    tokenizer(text)
    return time.process_time() - started


def test_tokenizer_is_linear_on_punctuation_runs():
    tokenizer = load_nlp().tokenizer
    for unit in ("(", "!?", "([{", "'", '"', "1-"):
        small, large = (min(_cpu(tokenizer, unit * n) for _ in range(2)) for n in (2000, 8000))
        # spaCy alone: 1.5 s for 4,000 "(" and 15 s for 4,000 "([{"; linear is about 4x.
        assert large < 0.5, f"{unit!r} x 8000 took {large:.2f}s"
        assert large < 0.05 or large < 10 * max(small, 1e-3), (unit, small, large)
