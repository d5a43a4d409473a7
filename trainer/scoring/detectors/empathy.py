"""Empathy detectors: acknowledging feelings, apologising, using the name, not dismissing."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trainer.privacy.config import NAME_PLACEHOLDER
from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import first_hit, plural, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored


class AcknowledgementParams(BaseModel):
    """How many agent replies after the customer's emotion may carry the acknowledgement."""

    model_config = ConfigDict(extra="forbid")
    within_turns: int = Field(default=1, ge=1, le=5)


def emotion_moments(ctx: ScoringContext) -> list[tuple[int, list]]:
    """Customer turns expressing emotion; consecutive ones before an agent reply count once."""
    moments: list[tuple[int, list]] = []
    last_agent_reply_seen = True
    for i, turn in enumerate(ctx.turns):
        if turn.speaker == "agent":
            last_agent_reply_seen = True
        elif turn.speaker == "customer":
            hits = ctx.find(i, "emotion_expressed")
            if hits:
                if last_agent_reply_seen or not moments:
                    moments.append((i, hits))
                last_agent_reply_seen = False
    return moments


@detector("empathy.acknowledgement.v1", params=AcknowledgementParams)
def acknowledgement(ctx: ScoringContext, params: AcknowledgementParams) -> Score:
    """The agent acknowledges the customer's emotion in the reply right after it is expressed."""
    moments = emotion_moments(ctx)
    if not moments:
        return not_applicable("the customer did not express frustration or another strong feeling")
    agent_turns = ctx.indices("agent")
    evidence, missed = [], []
    for index, hits in moments:
        replies = [a for a in agent_turns if a > index][: params.within_turns]
        acknowledged = [(a, s) for a in replies for s in ctx.find(a, "acknowledgement")]
        if acknowledged:
            evidence.extend(spans_evidence(ctx, acknowledged[:1]))
        else:
            missed.append((index, hits[0]))
            evidence.extend(spans_evidence(ctx, [(index, hits[0])]))
    done = len(moments) - len(missed)
    text = f"acknowledged {done} of {plural(len(moments), 'moment')} the customer expressed emotion"
    if missed:
        index, span = missed[0]
        text += (
            f"; turn {index + 1}: the customer said {quote(span.text)} "
            "and the reply did not acknowledge it"
        )
    return scored(done / len(moments), text, evidence, moments=len(moments), missed=len(missed))


@detector("empathy.apology.v1")
def apology(ctx: ScoringContext, _params) -> Score:
    """The agent apologises once the customer reports a problem or shows they are upset."""
    problem = first_hit(ctx, "problem_reported", "customer") or first_hit(
        ctx, "emotion_expressed", "customer"
    )
    if problem is None:
        return not_applicable("the customer reported no problem to apologise for")
    hit = first_hit(ctx, "apology", "agent", after=problem[0])
    if hit is None:
        return scored(
            0.0,
            f"turn {problem[0] + 1}: the customer reported {quote(problem[1].text)}; "
            "no apology followed",
            spans_evidence(ctx, [problem]),
        )
    return scored(1.0, f"turn {hit[0] + 1}: the agent apologised", spans_evidence(ctx, [hit]))


class NameParams(BaseModel):
    """How often the agent should use the customer's name."""

    model_config = ConfigDict(extra="forbid")
    min_uses: int = Field(default=1, ge=1)


@detector("empathy.uses_name.v1", params=NameParams)
def uses_name(ctx: ScoringContext, params: NameParams) -> Score:
    """The agent uses the customer's name. Where names were redacted (TRAINER_REDACT_NAMES=1)
    a [NAME] placeholder counts, unless it is the agent's own ("this is [NAME]")."""
    name = ctx.customer_first_name
    if not name:
        return not_applicable("the customer's name is not known in this conversation")
    pattern = re.compile(rf"\b{re.escape(name)}\b|{re.escape(NAME_PLACEHOLDER)}", re.IGNORECASE)
    hits = [
        ctx.evidence(i, m.span())
        for i in ctx.indices("agent")
        for m in pattern.finditer(ctx.turns[i].text)
        if m.group() != NAME_PLACEHOLDER or not _introduces_agent(ctx, i, m.start())
    ]
    if len(hits) >= params.min_uses:
        return scored(
            1.0, f"the agent used the customer's name ({name}) {plural(len(hits), 'time')}", hits
        )
    if hits:
        return scored(
            len(hits) / params.min_uses, f"the agent used {name!r} only {len(hits)} time(s)", hits
        )
    return scored(0.0, f"the agent never used the customer's name ({name})")


def _introduces_agent(ctx: ScoringContext, index: int, start: int) -> bool:
    """A placeholder right after "this is" / "my name is" in an agent turn is the agent's name."""
    return any(0 <= start - s.end_char <= 2 for s in ctx.find(index, "agent_introduction"))


@detector("empathy.no_dismissive_language.v1")
def no_dismissive_language(ctx: ScoringContext, _params) -> Score:
    """The agent avoids dismissive phrases such as 'calm down' or 'not my department'."""
    if not ctx.indices("agent"):
        return unscored("the conversation has no agent turns")
    hits = ctx.find_all("dismissive", "agent")
    if not hits:
        return scored(1.0, "no dismissive language from the agent")
    first_index, first_span = hits[0]
    return scored(
        0.0,
        f"turn {first_index + 1}: dismissive {quote(first_span.text)}"
        + (f" and {len(hits) - 1} more" if len(hits) > 1 else ""),
        spans_evidence(ctx, hits),
        count=len(hits),
    )
