"""A tokenizer that stays linear on runs of punctuation.

spaCy's tokenizer strips prefixes and suffixes from a whitespace-free run one at a time, and each
strip searches the whole rest of the run for the next suffix: a run of n affix characters ("((((",
"!?!?", quotes) costs n² (8,000 characters of "!?" took 6 s, 12,000 of "([{" 15 s). Real text
has short runs. A run that is long (LONG_RUN characters or more) or holds many punctuation marks
in a row is cut here instead, linearly, into words and single marks, which is what spaCy makes of
such a run when it finishes; every other stretch of text goes through spaCy's tokenizer as before
(its tokens kept, not the norms its exceptions set: nothing here reads NORM). The text of the Doc
is always exactly the input.
"""

from __future__ import annotations

import re

from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

LONG_RUN = 64  # characters without whitespace; a URL is shorter than this, mostly
MARKS_IN_A_ROW = 6  # "!!!!!" is left to spaCy; six marks or more are cut here
_RISKY = re.compile(rf"\S{{{LONG_RUN}}}|[^\w\s]{{{MARKS_IN_A_ROW}}}")
_RUN = re.compile(r"\S+")
_PIECE = re.compile(r"\w+|[^\w\s]")


class BoundedTokenizer:
    """Wraps a spaCy tokenizer: risky runs are cut linearly, the rest is tokenized by spaCy."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        """The Doc of `text` (exactly its text), in time linear in its length."""
        if not _RISKY.search(text):
            return self.tokenizer(text)
        words: list[str] = []
        spaces: list[bool] = []
        cursor = 0
        for run in _RUN.finditer(text):
            if not _RISKY.search(text, run.start(), run.end()):
                continue
            if run.start() > cursor:
                self._extend(text[cursor : run.start()], words, spaces)
            pieces = _PIECE.findall(text, run.start(), run.end())
            words += pieces
            spaces += [False] * len(pieces)
            cursor = run.end()
            if text.startswith(" ", cursor):  # one plain space after a token is its whitespace
                spaces[-1] = True
                cursor += 1
        if cursor < len(text):
            self._extend(text[cursor:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _extend(self, text: str, words: list[str], spaces: list[bool]) -> None:
        """Add spaCy's tokens of `text` (read from arrays: no Token objects)."""
        doc = self.tokenizer(text)
        strings = self.vocab.strings
        for orth, space in doc.to_array([ORTH, SPACY]).tolist():
            words.append(strings[orth])
            spaces.append(bool(space))

    def pipe(self, texts, batch_size: int = 1000):
        """Docs of many texts, one by one (as spaCy's tokenizer.pipe does)."""
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        # Everything else (rules, prefix_search, to_disk, ...) is the wrapped tokenizer's.
        if name == "tokenizer":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


def bound_tokenizer(nlp: Language) -> Language:
    """Make `nlp` tokenize with a BoundedTokenizer around its own (once); returns `nlp`."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
