"""Clarity detectors: readable sentences, explained jargon, few fillers, checking understanding,
restating the problem, next steps."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trainer.nlp.readability import flesch_reading_ease
from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import (
    plural,
    presence_score,
    quote,
    sentence_openers,
    spans_evidence,
)
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored


class ReadabilityParams(BaseModel):
    """Targets for agent sentences: average length and Flesch reading ease."""

    model_config = ConfigDict(extra="forbid")
    max_avg_sentence_words: float = Field(default=20.0, gt=0)
    min_reading_ease: float = Field(default=60.0, ge=0, le=100)
    long_sentence_words: int = Field(default=35, gt=0)


@detector("clarity.readability.v1", params=ReadabilityParams)
def readability(ctx: ScoringContext, params: ReadabilityParams) -> Score:
    """Agent sentences are short and easy to read (sentence length and Flesch reading ease)."""
    sentences = [
        (i, sent)
        for i in ctx.indices("agent")
        for sent in ctx.docs[i].sents
        if ctx.non_punct_count(i, sent.start, sent.end)
    ]
    if not sentences:
        return unscored("the agent wrote no sentences to measure")
    lengths = [ctx.word_count(i, s.start, s.end) for i, s in sentences]
    average = sum(lengths) / len(lengths)
    agent_text = " ".join(ctx.turns[i].text for i in ctx.indices("agent"))
    ease = flesch_reading_ease(agent_text, sentences=len(sentences))
    length_score = min(1.0, max(0.0, 2 - average / params.max_avg_sentence_words))
    ease_score = min(1.0, max(0.0, ease / params.min_reading_ease))
    long_ones = [
        (i, s)
        for (i, s), n in zip(sentences, lengths, strict=True)
        if n >= params.long_sentence_words
    ]
    value = (length_score + ease_score) / 2
    if long_ones:
        value *= max(0.5, 1 - 0.15 * len(long_ones))
    text = f"agent sentences average {average:.1f} words; reading ease {ease:.0f}"
    if long_ones:
        i, sent = long_ones[0]
        text += f"; turn {i + 1} has a {len(sent)}-token sentence starting {quote(sent.text, 40)}"
    return scored(
        value,
        text,
        spans_evidence(ctx, long_ones),
        average_sentence_words=round(average, 1),
        reading_ease=round(ease, 1),
    )


class JargonParams(BaseModel):
    """Acronyms and terms this team accepts, and how much each unexplained one costs."""

    model_config = ConfigDict(extra="forbid")
    allowed: list[str] = Field(default_factory=list)
    penalty_per_term: float = Field(default=0.34, gt=0, le=1)


# Everyday abbreviations nobody needs explained.
COMMON_ACRONYMS = {
    "OK",
    "ID",
    "US",
    "USA",
    "UK",
    "EU",
    "AM",
    "PM",
    "TV",
    "PC",
    "FAQ",
    "PDF",
    "SMS",
    "USB",
    "PIN",
    "ATM",
    "VIP",
    "UPS",
    "DHL",
    "FAQS",
    "I",
    "A",
    "ASAP",
    "WIFI",
    "GPS",
    "CEO",
    "IT",
    "EST",
    "PST",
    "GMT",
    "UTC",
    "CS",
    "RE",
    "FYI",
    "BTW",
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "NY",
    "LA",
    "HD",
}
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}s?$")
# Every acronym token holds this; most turns do not, and walking their tokens costs more.
_MAY_HOLD_ACRONYM = re.compile(r"[A-Z][A-Z0-9]")


@detector("clarity.jargon.v1", params=JargonParams)
def jargon(ctx: ScoringContext, params: JargonParams) -> Score:
    """The agent avoids jargon and acronyms, or explains them when used."""
    allowed = {a.upper() for a in params.allowed} | COMMON_ACRONYMS
    agent_turns = ctx.indices("agent")
    if not agent_turns:
        return unscored("the conversation has no agent turns")
    unexplained: dict[str, tuple[int, object]] = {}
    for i in agent_turns:
        doc = ctx.docs[i]
        explained_at = [s.start for s in ctx.find(i, "jargon_explained")]
        candidates = list(ctx.find(i, "jargon"))
        listed = {(s.start, s.end) for s in candidates}
        candidates += [
            doc[t.i : t.i + 1]
            for t in (doc if _MAY_HOLD_ACRONYM.search(ctx.turns[i].text) else ())
            if _ACRONYM.match(t.text)
            and t.text.rstrip("s") not in allowed
            and t.text not in allowed
            and (t.i, t.i + 1) not in listed
            and not t.is_sent_start
        ]
        for span in candidates:
            key = span.text.lower()
            if key.upper() in allowed or key in unexplained:
                continue
            after = doc[span.end : span.end + 1]
            explained = (len(after) and after[0].text in {"(", "—", "–", "-", ","}) or any(
                span.end <= start <= span.end + 12 for start in explained_at
            )
            if not explained:
                unexplained[key] = (i, span)
    if not unexplained:
        return scored(1.0, "no unexplained jargon or acronyms in agent turns")
    hits = sorted(unexplained.values(), key=lambda h: (h[0], h[1].start))
    terms = ", ".join(quote(s.text, 20) for _, s in hits[:4])
    return scored(
        max(0.0, 1 - params.penalty_per_term * len(hits)),
        f"{plural(len(hits), 'unexplained term')}: {terms}",
        spans_evidence(ctx, hits),
        terms=[s.text for _, s in hits],
    )


class FillerParams(BaseModel):
    """How many filler words per 100 agent words are acceptable."""

    model_config = ConfigDict(extra="forbid")
    max_per_100_words: float = Field(default=1.0, gt=0)


@detector("clarity.filler_words.v1", params=FillerParams)
def filler_words(ctx: ScoringContext, params: FillerParams) -> Score:
    """The agent uses few filler words ('um', 'basically', 'you know')."""
    agent_turns = ctx.indices("agent")
    words = sum(ctx.word_count(i) for i in agent_turns)
    if words == 0:
        return unscored("the agent said nothing to measure")
    hits = ctx.find_all("filler", "agent")
    rate = 100 * len(hits) / words
    value = (
        1.0
        if rate <= params.max_per_100_words
        else max(0.0, 1 - (rate - params.max_per_100_words) / (3 * params.max_per_100_words))
    )
    text = f"{plural(len(hits), 'filler word')} in {words} agent words ({rate:.1f} per 100)"
    if hits:
        text += f", first {quote(hits[0][1].text, 20)} in turn {hits[0][0] + 1}"
    return scored(value, text, spans_evidence(ctx, hits), per_100_words=round(rate, 2))


class MinTurnsParams(BaseModel):
    """Below this many agent turns the check does not apply."""

    model_config = ConfigDict(extra="forbid")
    min_agent_turns: int = Field(default=3, ge=1)


@detector("clarity.checks_understanding.v1", params=MinTurnsParams)
def checks_understanding(ctx: ScoringContext, params: MinTurnsParams) -> Score:
    """The agent checks that the customer understood ('Does that make sense?')."""
    return presence_score(
        ctx,
        "check_understanding",
        "the agent checked understanding",
        "the agent never checked that the customer understood",
        params.min_agent_turns,
    )


@detector("clarity.next_steps.v1", params=MinTurnsParams)
def next_steps(ctx: ScoringContext, params: MinTurnsParams) -> Score:
    """The agent states what happens next."""
    return presence_score(
        ctx,
        "next_steps",
        "the agent stated the next steps",
        "the agent never said what happens next",
        params.min_agent_turns,
    )


# "So you were charged twice?": a sentence that opens with "so" and goes on about the customer.
_SO_RESTATING = frozenset({"you", "your", "you're", "it's", "basically", "the", "that"})


def restatements(ctx: ScoringContext, index: int) -> list:
    """Spans in turn `index` where the agent restates what the customer said."""
    doc = ctx.docs[index]
    found = list(ctx.find(index, "restatement"))
    for first, end in sentence_openers(doc):
        nxt = first + 1
        while nxt < end and (doc[nxt].is_punct or doc[nxt].is_space):
            nxt += 1
        if doc[first].lower_ == "so" and nxt < end and doc[nxt].lower_ in _SO_RESTATING:
            found.append(doc[first : nxt + 1])
    return sorted(found, key=lambda span: span.start)


@detector("clarity.restates.v1", params=MinTurnsParams)
def restates(ctx: ScoringContext, params: MinTurnsParams) -> Score:
    """The agent restates the customer's problem in their own words to check it ("So you were
    charged twice, is that right?", "It sounds like ...")."""
    agent = ctx.indices("agent")
    if len(agent) < params.min_agent_turns:
        return not_applicable(f"fewer than {params.min_agent_turns} agent turns")
    hits = [(i, span) for i in agent for span in restatements(ctx, i)]
    if not hits:
        return scored(0.0, "the agent never restated the customer's problem")
    i, span = hits[0]
    return scored(
        1.0,
        f"turn {i + 1}: restated the customer's problem ({quote(span.text)})",
        spans_evidence(ctx, hits),
        restatements=len(hits),
    )
