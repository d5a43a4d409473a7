"""Reading a trainee's reply with the rubric's own detectors and pattern sets.

Each reply is read in a two-turn exchange: the customer's last line, then the reply. A registry of
signal readers (one small function each) turns detector results and pattern matches into named
signals, such as `dismissive`, `jargon` or `vague_promise`, that the reaction rules act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.language import Language

from trainer.conversation import Conversation, Turn
from trainer.nlp.pipeline import load_nlp
from trainer.scoring.context import ScoringContext
from trainer.scoring.detectors.roleplay import CharSpan
from trainer.scoring.registry import registry
from trainer.scoring.result import Score

CUSTOMER, REPLY = 0, 1  # turn indices inside the exchange


@dataclass(frozen=True, slots=True)
class Signal:
    """Something the reply did, where (character spans in the reply), and a detail to quote."""

    name: str
    spans: tuple[CharSpan, ...] = ()
    detail: str = ""


@dataclass
class Reading:
    """Everything the customer noticed in one reply."""

    ctx: ScoringContext
    signals: dict[str, Signal] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The reply as the trainee wrote it."""
        return self.ctx.turns[REPLY].text

    def has(self, name: str) -> bool:
        """True when signal `name` was read in the reply."""
        return name in self.signals

    def quote(self, name: str) -> str:
        """The reply's words behind signal `name` (its detail, else its first span)."""
        signal = self.signals.get(name)
        if signal is None:
            return ""
        if signal.detail:
            return signal.detail
        if signal.spans:
            start, end = signal.spans[0]
            return self.text[start:end]
        return ""


Reader = Callable[[ScoringContext], Signal | None]
_READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Callable[[ScoringContext], Signal | None]], Reader]:
    """Register a signal reader under `name` (names are unique)."""

    def wrap(fn: Reader) -> Reader:
        if name in _READERS:
            raise ValueError(f"signal reader {name!r} is registered twice")
        _READERS[name] = fn
        return fn

    return wrap


def _reply_spans(score: Score) -> tuple[CharSpan, ...]:
    return tuple((e.start, e.end) for e in score.evidence if e.turn == REPLY)


def _detect(ctx: ScoringContext, name: str) -> Score:
    """Run a registered detector with default params, once per exchange."""
    cache = ctx.__dict__.setdefault("_roleplay_scores", {})
    if name not in cache:
        cache[name] = registry.get(name)(ctx, {})
    return cache[name]


def _pattern(name: str, label: str) -> None:
    """Register a reader that fires when pattern set `label` matches the reply."""

    def read(ctx: ScoringContext) -> Signal | None:
        hits = ctx.find(REPLY, label)
        return Signal(name, tuple((s.start_char, s.end_char) for s in hits)) if hits else None

    reader(name)(read)


for _name, _label in (
    ("acknowledged", "acknowledgement"),
    ("apologised", "apology"),
    ("ownership", "rp_ownership"),
    ("reassured", "rp_reassurance"),
    ("boundary", "rp_boundary"),
    ("blame", "rp_blame"),
    ("vague_answer", "rp_vague_answer"),
    ("cannot_help", "cannot_resolve"),
    ("resolution_stated", "resolution_stated"),
    ("checked_understanding", "check_understanding"),
    ("next_steps", "next_steps"),
    ("further_help", "further_help"),
    ("closing", "closing"),
    ("greeting", "greeting"),
    ("recap", "recap"),
):
    _pattern(_name, _label)


@reader("dismissive")
def _dismissive(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "empathy.no_dismissive_language.v1")
    spans = _reply_spans(score) if score.value == 0.0 else ()
    return Signal("dismissive", spans) if spans else None


@reader("ignored_feelings")
def _ignored_feelings(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "empathy.acknowledgement.v1")
    if score.value != 0.0:
        return None
    emotion = ctx.find(CUSTOMER, "emotion_expressed")
    return Signal("ignored_feelings", (), emotion[0].text if emotion else "")


@reader("jargon")
def _jargon(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "clarity.jargon.v1")
    if score.value is None or score.value >= 1.0:
        return None
    terms = score.metadata.get("terms") or [""]
    return Signal("jargon", _reply_spans(score), terms[0])


@reader("time_frame_given")
def _time_frame_given(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "follow_up.commitment.v1")
    return Signal("time_frame_given", _reply_spans(score)) if score.value == 1.0 else None


@reader("vague_promise")
def _vague_promise(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "follow_up.commitment.v1")
    if score.value != 0.5 or ctx.find(REPLY, "time_frame"):
        return None  # a time frame anywhere in the reply answers "when?"
    spans = _reply_spans(score)
    text = ctx.turns[REPLY].text
    detail = text[spans[0][0] : spans[0][1]].strip().capitalize() if spans else ""
    return Signal("vague_promise", spans, detail)


@reader("deflected")
def _deflected(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "resolution.no_deflection.v1")
    spans = _reply_spans(score) if score.value == 0.0 else ()
    return Signal("deflected", spans) if spans else None


@reader("reference_given")
def _reference_given(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "follow_up.reference_number.v1")
    return Signal("reference_given", _reply_spans(score)) if score.value == 1.0 else None


@reader("uses_name")
def _uses_name(ctx: ScoringContext) -> Signal | None:
    score = _detect(ctx, "empathy.uses_name.v1")
    return Signal("uses_name", _reply_spans(score)) if score.value == 1.0 else None


#: Replies shorter than this are too short for a fair readability reading.
HARD_TO_FOLLOW_MIN_WORDS = 20


@reader("hard_to_follow")
def _hard_to_follow(ctx: ScoringContext) -> Signal | None:
    words = [t for t in ctx.docs[REPLY] if not t.is_punct and not t.is_space]
    if len(words) < HARD_TO_FOLLOW_MIN_WORDS:
        return None
    score = _detect(ctx, "clarity.readability.v1")
    if score.value is None or score.value >= 0.6:
        return None
    return Signal("hard_to_follow", _reply_spans(score))


@reader("question")
def _question(ctx: ScoringContext) -> Signal | None:
    return Signal("question") if "?" in ctx.turns[REPLY].text else None


@reader("terse")
def _terse(ctx: ScoringContext) -> Signal | None:
    words = [t for t in ctx.docs[REPLY] if not t.is_punct and not t.is_space]
    return Signal("terse") if len(words) <= 3 else None


def exchange(customer_line: str, reply: str, customer_name: str) -> Conversation:
    """The two-turn conversation a reply is read in."""
    return Conversation(
        external_id="roleplay-exchange",
        turns=[Turn("customer", customer_line), Turn("agent", reply)],
        channel="roleplay",
        customer=customer_name,
    )


def read_reply(
    customer_line: str, reply: str, customer_name: str, nlp: Language | None = None
) -> Reading:
    """Run every signal reader on the reply to the customer's last line."""
    ctx = ScoringContext(exchange(customer_line, reply, customer_name), nlp or load_nlp())
    signals = {}
    for name, read in _READERS.items():
        found = read(ctx)
        if found is not None:
            signals[name] = found
    return Reading(ctx, signals)
