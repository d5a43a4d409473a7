"""Small shared pieces for detectors: evidence lists, plural words, quoting."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span

from trainer.conversation import Evidence
from trainer.scoring.context import ScoringContext
from trainer.scoring.result import Score, not_applicable, scored


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """`1 turn`, `3 turns`."""
    return f"{count} {word if count == 1 else (plural_form or word + 's')}"


def quote(text: str, limit: int = 60) -> str:
    """A short quoted excerpt for explanations."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1] + '…'}'"


def spans_evidence(ctx: ScoringContext, hits: Iterable[tuple[int, Span]]) -> list[Evidence]:
    """Evidence for each (turn index, span) hit, in conversation order."""
    return [ctx.evidence(i, span) for i, span in sorted(hits, key=lambda h: (h[0], h[1].start))]


def first_hit(
    ctx: ScoringContext, label: str, speaker: str, after: int = -1
) -> tuple[int, Span] | None:
    """The first match of `label` in `speaker`'s turns after turn index `after`."""
    for i, span in ctx.find_all(label, speaker):
        if i > after:
            return i, span
    return None


def presence_score(
    ctx: ScoringContext, label: str, found: str, missing: str, min_turns: int = 1
) -> Score:
    """1 when the agent says something from pattern set `label`, else 0; N/A in very short chats."""
    if len(ctx.indices("agent")) < min_turns:
        return not_applicable(f"fewer than {min_turns} agent turns: too short to expect this")
    hits = ctx.find_all(label, "agent")
    if hits:
        i, span = hits[0]
        return scored(1.0, f"turn {i + 1}: {found} ({quote(span.text)})", spans_evidence(ctx, hits))
    return scored(0.0, missing)


SENTENCE_END = frozenset(".?!")


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(first token, end) of each sentence of a doc, split after . ? ! (a fast rule, no parser)."""
    spans, start = [], 0
    for token in doc:
        if token.is_punct and token.text[-1] in SENTENCE_END and token.i + 1 > start:
            spans.append((start, token.i + 1))
            start = token.i + 1
    if start < len(doc):
        spans.append((start, len(doc)))
    return spans


def sentence_openers(doc: Doc) -> list[tuple[int, int]]:
    """(index of the first word token, sentence end) of each sentence with a word in it."""
    openers = []
    for start, end in sentence_spans(doc):
        first = next((t.i for t in doc[start:end] if not (t.is_punct or t.is_space)), None)
        if first is not None:
            openers.append((first, end))
    return openers
