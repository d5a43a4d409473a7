"""Redact personal data from transcript text before anything is stored.

    from trainer.privacy import Redactor, redact_conversation

    result = Redactor().redact("my card is four one one one, 1111 1111 1111 1111")
    result.text    # "my card is [CARD]"
    result.spans   # [RedactedSpan(start=11, end=49, kind='card')], offsets into the ORIGINAL text

    clean, per_turn = redact_conversation(conversation)

Spans point into the original text, so a caller can map them onto word timestamps and silence the
same stretch of audio. `Redaction.original` holds the unredacted text in memory only: it is left
out of `repr()`, `to_dict()` and pickling. Storage code must store `.text` (and may store
`.spans`), and may store the original only when `store_unredacted_allowed()` is True
(TRAINER_STORE_UNREDACTED=1).

Which kinds are redacted: the `kinds` argument, else $TRAINER_REDACT, else all (see config.py).
Detection runs Presidio's AnalyzerEngine (built once, cached) with Presidio's recognizers for typed
card numbers, emails, phone numbers, SSNs and NI numbers plus our own for spoken and broken-up
forms, security codes, addresses and dates of birth (see recognizers/).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from trainer.conversation import Conversation
from trainer.privacy.config import (
    ENTITY_KIND,
    KINDS,
    resolve_kinds,
    store_unredacted_allowed,
)
from trainer.privacy.context import clear_caches
from trainer.privacy.patterns import DIGIT_WORDS, MONTHS, ORDINAL_WORDS, TEEN_WORDS, TENS_WORDS

# Results below this score are dropped. Presidio scores bare typed phone numbers 0.4, and its
# weak SSN patterns reach it only with a context word; our own recognizers score 0.5 or more.
SCORE_THRESHOLD = 0.4
# How much of the previous turn is read as context ("what's the security code?" -> "123").
CONTEXT_CHARS = 160
# Texts longer than PIECE_CHARS are analyzed in pieces that overlap by PIECE_OVERLAP characters.
PIECE_CHARS = 4000
PIECE_OVERLAP = 400
_JOIN = "\n"
_MAYBE_PII = re.compile(
    r"\d|@|\b(?:at|"
    + "|".join([*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *MONTHS, *ORDINAL_WORDS])
    + r")\b",
    re.IGNORECASE,
)


class RedactedSpan(NamedTuple):
    """A redacted stretch of the original text: [start, end) and the kind of data it held."""

    start: int
    end: int
    kind: str

    @property
    def placeholder(self) -> str:
        return KINDS[self.kind].placeholder


@dataclass(frozen=True, eq=True)
class Redaction:
    """Redacted text, the spans (in the original) that were replaced, and the original itself.

    `original` lives in memory only: it is not in repr(), to_dict() or the pickled state (unless
    TRAINER_STORE_UNREDACTED=1), so logging or queueing a Redaction does not leak it. (copy.copy
    and copy.deepcopy go through the pickled state too, so copies have `original=None`.)
    """

    text: str
    spans: list[RedactedSpan]
    original: str = field(repr=False, compare=False)
    kinds: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.spans)

    @property
    def placeholder_spans(self) -> list[RedactedSpan]:
        """Where each placeholder sits in the redacted `.text` (for highlighting)."""
        out, shift = [], 0
        for span in self.spans:
            start = span.start + shift
            out.append(RedactedSpan(start, start + len(span.placeholder), span.kind))
            shift += len(span.placeholder) - (span.end - span.start)
        return out

    def to_dict(self) -> dict:
        """The storable shape: redacted text and spans, never the original."""
        return {"text": self.text, "spans": [list(s) for s in self.spans]}

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if not store_unredacted_allowed():
            state["original"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)


@dataclass(frozen=True, slots=True)
class TurnRedaction:
    """The spans redacted from one turn (offsets into that turn's original text)."""

    turn: int
    spans: list[RedactedSpan]


class Redactor:
    """Finds and replaces personal data of the chosen kinds; cheap to create, engine is shared."""

    def __init__(self, kinds: Iterable[str] | str | None = None) -> None:
        self.kinds: frozenset[str] = resolve_kinds(kinds)
        self.entities: list[str] = sorted(e for k in self.kinds for e in KINDS[k].entities)

    def __repr__(self) -> str:
        return f"Redactor(kinds={sorted(self.kinds)!r})"

    def redact(self, text: str, *, context: str | None = None) -> Redaction:
        """Redact one text. `context`: what was said just before (e.g. the previous turn), read
        for context words only ("what's your date of birth?" -> "third of March ...")."""
        return self.redact_many([text], contexts=[context])[0]

    def redact_many(
        self,
        texts: Sequence[str],
        contexts: Sequence[str | None] | None = None,
        *,
        names: Iterable[str | None] = (),
    ) -> list[Redaction]:
        """Redact many texts in one pass of the shared spaCy pipeline. `names`: the people of
        the conversation (agent, customer), also redacted wherever said when names are."""
        texts = list(texts)
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError("contexts must be as many as texts")
        if not self.kinds:
            return [Redaction(t, [], t, self.kinds) for t in texts]
        from trainer.privacy.engine import LANGUAGE, get_analyzer

        analyzer = get_analyzer()
        # Names need no digit or "@": with the name kind on, every text is read.
        every = "name" in self.kinds
        # A long text is read in overlapping pieces, so no recognizer ever sees more than
        # PIECE_CHARS at once: whatever it costs per text, a turn costs linear time in its length.
        work = [
            (i, start, _with_context(texts[i][start:end], contexts[i] if start == 0 else None))
            for i in range(len(texts))
            if every or _worth_analyzing(texts[i])
            for start, end in _pieces(texts[i])
        ]
        known = _known_names(names) if every else None
        found: dict[int, list[RedactedSpan]] = {}
        try:
            artifacts = analyzer.nlp_engine.process_batch(
                [job[0] for _, _, job in work], language=LANGUAGE
            )
            for (i, start, (full, offset)), (_, nlp_artifacts) in zip(work, artifacts, strict=True):
                results = analyzer.analyze(
                    full,
                    language=LANGUAGE,
                    entities=self.entities,
                    score_threshold=SCORE_THRESHOLD,
                    nlp_artifacts=nlp_artifacts,
                    ad_hoc_recognizers=[known] if known else None,
                )
                piece = full[offset:]
                spans = _merge(results, offset, len(piece), piece)
                found.setdefault(i, []).extend(
                    RedactedSpan(s.start + start, s.end + start, s.kind) for s in spans
                )
        finally:
            clear_caches()  # the recognizers' per-text caches hold unredacted text
        return [_apply(t, _joined(found.get(i, [])), self.kinds) for i, t in enumerate(texts)]

    def find(self, text: str, *, context: str | None = None) -> list[RedactedSpan]:
        """Only the spans that `redact` would replace."""
        return self.redact(text, context=context).spans


def redact_conversation(
    conversation: Conversation, redactor: Redactor | None = None
) -> tuple[Conversation, list[TurnRedaction]]:
    """A copy of the conversation with every turn's text redacted, and the spans per turn.

    Each turn is read with the end of the previous turn as context, so an answer to "can I take
    the long number on the card?" is recognized even when the answer is only digits. Only turn
    texts are redacted; `metadata["redacted_kinds"]` records which kinds were.
    """
    redactor = redactor or Redactor()
    texts = [turn.text for turn in conversation.turns]
    contexts = [None, *texts[:-1]][: len(texts)]
    names = (conversation.agent, conversation.customer)
    results = redactor.redact_many(texts, contexts=contexts, names=names)
    turns = [
        dataclasses.replace(turn, text=result.text)
        for turn, result in zip(conversation.turns, results, strict=True)
    ]
    metadata = {**conversation.metadata, "redacted_kinds": sorted(redactor.kinds)}
    clean = dataclasses.replace(conversation, turns=turns, metadata=metadata)
    per_turn = [TurnRedaction(i, r.spans) for i, r in enumerate(results)]
    return clean, per_turn


def _known_names(names: Iterable[str | None]):
    from trainer.privacy.recognizers.person import known_names_recognizer

    return known_names_recognizer(names)


def _with_context(text: str, context: str | None) -> tuple[str, int]:
    """The text to analyze (the tail of `context`, a newline, the text) and where `text` starts."""
    if not context:
        return text, 0
    tail = context[-CONTEXT_CHARS:]
    if len(context) > CONTEXT_CHARS and " " in tail:
        tail = tail[tail.index(" ") + 1 :]
    return tail + _JOIN + text, len(tail) + len(_JOIN)


def _pieces(text: str) -> list[tuple[int, int]]:
    """[start, end) pieces of at most PIECE_CHARS covering `text`, each overlapping the next by
    about PIECE_OVERLAP (longer than any personal datum and the words that announce it), cut
    after whitespace where there is some, so every datum lies whole inside some piece."""
    if len(text) <= PIECE_CHARS:
        return [(0, len(text))]
    pieces, start = [], 0
    while True:
        end = start + PIECE_CHARS
        if end >= len(text):
            pieces.append((start, len(text)))
            return pieces
        blank = _last_blank(text, end - PIECE_OVERLAP // 4, end)
        end = blank if blank is not None else end
        pieces.append((start, end))
        blank = _last_blank(text, end - PIECE_OVERLAP - PIECE_OVERLAP // 4, end - PIECE_OVERLAP)
        start = blank if blank is not None else end - PIECE_OVERLAP


def _last_blank(text: str, low: int, high: int) -> int | None:
    """The position just after the last whitespace in text[low:high], if any."""
    for index in range(high - 1, low - 1, -1):
        if text[index].isspace():
            return index + 1
    return None


def _joined(spans: list[RedactedSpan]) -> list[RedactedSpan]:
    """Spans found in overlapping pieces, overlaps joined (the longer span names the kind)."""
    if len(spans) < 2:
        return spans
    out: list[RedactedSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            last = out[-1]
            kind = span.kind if span.end - span.start > last.end - last.start else last.kind
            out[-1] = RedactedSpan(last.start, max(last.end, span.end), kind)
        else:
            out.append(span)
    return out


def _worth_analyzing(text: str) -> bool:
    """Every recognizer needs a digit, a number word, '@', 'at' or a month; skip the rest."""
    return bool(_MAYBE_PII.search(text))


def _merge(results, offset: int, length: int, text: str) -> list[RedactedSpan]:
    """Results as spans of the original text: clipped to it, overlaps joined, best kind kept."""
    items = []
    for r in results:
        kind = ENTITY_KIND.get(r.entity_type)
        start, end = max(r.start - offset, 0), min(r.end - offset, length)
        if kind is None or end <= start:
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            items.append((start, end, kind, r.score))
    items.sort(key=lambda x: (x[0], -x[1]))
    merged: list[list] = []
    for start, end, kind, score in items:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            best = max((last[3], last[1] - last[0]), (score, end - start))
            if best == (score, end - start):
                last[2], last[3] = kind, score
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, kind, score])
    return [RedactedSpan(s, e, k) for s, e, k, _ in merged]


def _apply(text: str, spans: list[RedactedSpan], kinds: frozenset[str]) -> Redaction:
    parts, cursor = [], 0
    for span in spans:
        parts.append(text[cursor : span.start])
        parts.append(span.placeholder)
        cursor = span.end
    parts.append(text[cursor:])
    return Redaction("".join(parts), spans, text, kinds)
