"""Empathy levels (EPITOME): emotional reactions, interpretations and explorations in a reply.

Each detector reads the agent's reply to a customer's message and places it at level 0 (none),
1 (weak) or 2 (strong) on one of the three mechanisms of the EPITOME framework (Sharma et al.,
2020, "A Computational Approach to Understanding Empathy Expressed in Text-Based Mental Health
Support"). The score is level / 2; the phrases and token patterns are data, in
`trainer/nlp/patterns/empathy_levels.yaml`.

`empathy_levels()` and `empathy_levels_batch()` run the registered detectors on (seeker, response)
pairs, which is how `trainer eval empathy` measures them against EPITOME's human labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc, Span

from trainer.conversation import Conversation, Turn
from trainer.nlp.pipeline import load_nlp
from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import quote, spans_evidence
from trainer.scoring.registry import NoParams, detector, registry
from trainer.scoring.result import Score, not_applicable, scored

EMOTIONAL_REACTION = "empathy.emotional_reaction.v1"
INTERPRETATION = "empathy.interpretation.v1"
EXPLORATION = "empathy.exploration.v1"
#: EPITOME's column name for each detector.
DIMENSIONS: dict[str, str] = {
    "emotional_reactions": EMOTIONAL_REACTION,
    "interpretations": INTERPRETATION,
    "explorations": EXPLORATION,
}
LEVEL_NAMES = ("none", "weak", "strong")

Hit = tuple[int, Span]


class Level(NamedTuple):
    """One reply's level, the spans behind it and why, in a few words."""

    level: int
    hits: list[Hit]
    reason: str = ""


NONE = Level(0, [])
LevelFn = Callable[[ScoringContext, list[int]], Level]


@dataclass(frozen=True)
class Exchange:
    """A customer message (its last turn) and the agent turns that answer it."""

    customer: int
    replies: list[int]


def exchanges(ctx: ScoringContext) -> list[Exchange]:
    """Every customer message that gets an agent reply; system turns are skipped over."""
    found: list[Exchange] = []
    customer: int | None = None
    replies: list[int] = []
    for i, turn in enumerate(ctx.turns):
        if turn.speaker == "customer":
            if customer is not None and replies:
                found.append(Exchange(customer, replies))
            customer, replies = i, []
        elif turn.speaker == "agent" and customer is not None:
            replies.append(i)
    if customer is not None and replies:
        found.append(Exchange(customer, replies))
    return found


def _hits(ctx: ScoringContext, replies: Iterable[int], label: str) -> list[Hit]:
    return [(i, span) for i in replies for span in ctx.find(i, label)]


def _score_levels(ctx: ScoringContext, what: str, level_fn: LevelFn) -> Score:
    """Level each exchange and keep the highest (the first such): value = level / 2."""
    moments = exchanges(ctx)
    if not moments:
        return not_applicable("no agent reply to a customer message to judge")
    judged = [(level_fn(ctx, moment.replies), moment) for moment in moments]
    best, moment = max(judged, key=lambda pair: pair[0].level)
    levels = [result.level for result, _ in judged]
    if best.level == 0:
        text = (
            f"no {what} in any of {len(moments)} agent replies"
            if len(moments) > 1
            else f"no {what} in the agent's reply (turn {moment.replies[0] + 1})"
        )
    else:
        index, span = best.hits[0]
        strength = LEVEL_NAMES[best.level]
        text = f"turn {index + 1}: {strength} {what}, {best.reason} ({quote(span.text)})"
    return scored(
        best.level / 2,
        text,
        spans_evidence(ctx, best.hits),
        level=best.level,
        levels=levels,
        replies=len(moments),
    )


def emotional_reaction_level(ctx: ScoringContext, replies: list[int]) -> Level:
    """2 for sympathy or warmth aimed at the person, 1 for generic concern or hope, else 0."""
    if hits := _hits(ctx, replies, "empathic_reaction_strong"):
        return Level(2, hits, "sympathy aimed at the person")
    if hits := _hits(ctx, replies, "empathic_reaction_weak"):
        return Level(1, hits, "generic concern or encouragement")
    return NONE


class InterpretationParams(BaseModel):
    """How many first-person words make a reply share an experience of its own."""

    model_config = ConfigDict(extra="forbid")
    min_disclosures: int = Field(default=2, ge=1, le=10)


def self_disclosures(ctx: ScoringContext, replies: Iterable[int]) -> list[Hit]:
    """First-person words ("I", "my", "me") outside formulas ("I think", "PM me", "I get it")."""
    found: list[Hit] = []
    for i in replies:
        covered = {
            t
            for label in ("first_person_formula", "interpretation_weak")
            for span in ctx.find(i, label)
            for t in range(span.start, span.end)
        }
        found.extend((i, span) for span in ctx.find(i, "first_person") if span.start not in covered)
    return found


def interpretation_level(
    ctx: ScoringContext, replies: list[int], min_disclosures: int = 2
) -> Level:
    """2 for specific understanding or a shared experience, 1 for generic understanding.

    A reply that talks about the replier's own life (`min_disclosures` first-person words outside
    formulas, or one beside a generic "I understand") shares an experience: strong.
    """
    if strong := _hits(ctx, replies, "interpretation_strong"):
        return Level(2, strong, "understanding or a shared experience")
    disclosures = self_disclosures(ctx, replies)
    weak = _hits(ctx, replies, "interpretation_weak")
    if weak and disclosures:
        return Level(2, weak + disclosures, "understanding backed by their own experience")
    if len(disclosures) >= min_disclosures:
        return Level(2, disclosures, f"shares their own experience ({len(disclosures)} I/me/my)")
    if weak:
        return Level(1, weak, "generic understanding")
    return NONE


class ExplorationParams(BaseModel):
    """Questions up to this many words that only point at the person read as generic."""

    model_config = ConfigDict(extra="forbid")
    generic_max_tokens: int = Field(default=4, ge=1, le=30)


def _sentences(doc: Doc) -> list[Span]:
    return list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]


def _sentence_starts(ctx: ScoringContext, index: int, label: str) -> set[int]:
    """Token indices where a match of `label` opens a sentence of turn `index`."""
    hits = ctx.find(index, label)
    if not hits:
        return set()
    starts = {s.start for s in _sentences(ctx.docs[index])}
    return {h.start for h in hits if h.start in starts}


def _questions(ctx: ScoringContext, index: int) -> list[Span]:
    """The sentences of turn `index` that ask something: a question mark or a question opener."""
    marks = {span.start for span in ctx.find(index, "question_mark")}
    openers = _sentence_starts(ctx, index, "question_opener")
    if not marks and not openers:
        return []
    return [
        s
        for s in _sentences(ctx.docs[index])
        if s.start in openers or any(s.start <= m < s.end for m in marks)
    ]


def _inside(hits: list[Span], sentence: Span) -> bool:
    return any(sentence.start <= h.start and h.end <= sentence.end for h in hits)


def exploration_level(
    ctx: ScoringContext, replies: list[int], generic_max_tokens: int = 4
) -> Level:
    """2 for a question about their particular feelings or experiences, 1 for a generic one.

    A question is specific when it uses an exploring phrase ("how long have you ...?"), asks about
    their situation ("is it getting better?") or, beyond `generic_max_tokens` words, points at the
    person ("you", "your"); a short one that only points at them, a generic question ("what's
    wrong?") or an invitation ("tell me more") is weak. Suggestions ("maybe you could ...?"), tag
    questions ("you know?") and questions that point at no one read as not exploring.
    """
    weak: list[Hit] = []
    for i in replies:
        specific = ctx.find(i, "exploration_specific")
        generic = ctx.find(i, "exploration_generic")
        references = ctx.find(i, "seeker_reference")
        situation = _sentence_starts(ctx, i, "situation_question")
        not_exploring = ctx.find(i, "not_exploring")
        for question in _questions(ctx, i):
            if _inside(not_exploring, question):
                continue
            words = sum(1 for t in question if not t.is_punct)
            if _inside(specific, question) or question.start in situation:
                return Level(2, [(i, question)], "asks about their feelings or situation")
            if _inside(generic, question) and words <= generic_max_tokens + 2:
                weak.append((i, question))
            elif _inside(references, question):
                if words > generic_max_tokens:
                    return Level(2, [(i, question)], "asks about their feelings or situation")
                weak.append((i, question))
        weak.extend((i, span) for span in ctx.find(i, "exploration_invitation"))
    if weak:
        return Level(1, weak, "a generic question or invitation")
    return NONE


@detector(EMOTIONAL_REACTION)
def emotional_reaction(ctx: ScoringContext, _params: NoParams) -> Score:
    """The agent's reply shows warmth, compassion or concern (EPITOME emotional reactions)."""
    return _score_levels(ctx, "emotional reaction", emotional_reaction_level)


@detector(INTERPRETATION, params=InterpretationParams)
def interpretation(ctx: ScoringContext, params: InterpretationParams) -> Score:
    """The agent's reply shows it understood the customer's feelings or experience."""
    return _score_levels(
        ctx, "interpretation", lambda c, r: interpretation_level(c, r, params.min_disclosures)
    )


@detector(EXPLORATION, params=ExplorationParams)
def exploration(ctx: ScoringContext, params: ExplorationParams) -> Score:
    """The agent's reply asks about the customer's feelings or experience (EPITOME explorations)."""
    return _score_levels(
        ctx, "exploration", lambda c, r: exploration_level(c, r, params.generic_max_tokens)
    )


# --- running the registered detectors on (seeker, response) pairs ---------------------------------


def _conversation(seeker: str, response: str, external_id: str = "pair") -> Conversation:
    return Conversation(external_id, [Turn("customer", seeker), Turn("agent", response)])


def _levels(ctx: ScoringContext, params: dict[str, dict] | None = None) -> dict[str, int]:
    levels: dict[str, int] = {}
    for column, name in DIMENSIONS.items():
        score = registry.get(name)(ctx, (params or {}).get(name))
        levels[column] = int(score.metadata.get("level", 0))
    return levels


def empathy_levels(seeker: str, response: str, nlp: Language | None = None) -> dict[str, int]:
    """The three EPITOME levels of `response` as a reply to `seeker`, from the registered detectors.

    Builds a two-turn conversation (customer, agent) and scores it through a ScoringContext:
    `{"emotional_reactions": 0-2, "interpretations": 0-2, "explorations": 0-2}`.
    """
    conversation = _conversation(seeker or "", response or "")
    return _levels(ScoringContext(conversation, nlp or load_nlp()))


class _LazyDocs(Sequence[Doc]):
    """One doc per turn, parsed on first use; some may be handed in already parsed."""

    def __init__(self, nlp: Language, texts: list[str], parsed: dict[int, Doc]) -> None:
        self._nlp, self._texts, self._parsed = nlp, texts, parsed

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        index = range(len(self))[index]  # IndexError past the end, as a list would
        if index not in self._parsed:
            self._parsed[index] = self._nlp(self._texts[index])
        return self._parsed[index]


class TurnByTurnContext(ScoringContext):
    """A ScoringContext that parses and matches a turn only when a detector first asks about it.

    Same pipeline, same pattern bank, same detectors: only the order of the work differs, so a
    batch can parse the replies together and never parse a turn no detector reads.
    """

    def __init__(
        self, conversation: Conversation, nlp: Language, parsed: dict[int, Doc] | None = None
    ) -> None:
        super().__init__(conversation, nlp)
        self._lazy_docs = _LazyDocs(self.nlp, [t.text for t in self.turns], dict(parsed or {}))

    @property
    def docs(self) -> Sequence[Doc]:  # type: ignore[override]
        """One spaCy doc per turn, each parsed on first use."""
        return self._lazy_docs


def empathy_levels_batch(
    pairs: Sequence[tuple[str, str]],
    nlp: Language | None = None,
    batch_size: int = 512,
    params: dict[str, dict] | None = None,
) -> list[dict[str, int]]:
    """`empathy_levels` for many (seeker, response) pairs: the same detectors, done faster.

    One pipeline is reused; the responses go through `nlp.pipe` in batches, and a seeker's post is
    parsed only if a detector reads it (these three read the reply). `params` maps a detector name
    to its parameters.
    """
    nlp = nlp or load_nlp()
    results: list[dict[str, int]] = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        replies = nlp.pipe((response or "" for _seeker, response in chunk), batch_size=batch_size)
        for (seeker, response), reply in zip(chunk, replies, strict=True):
            conversation = _conversation(seeker or "", response or "")
            results.append(_levels(TurnByTurnContext(conversation, nlp, {1: reply}), params))
    return results
