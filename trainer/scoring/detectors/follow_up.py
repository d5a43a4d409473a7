"""Follow-up: a time-framed commitment, a reference number, a recap, an offer of more help."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import presence_score, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, scored


def _sentence_hits(ctx: ScoringContext, label: str, i: int) -> dict[int, list]:
    by_sentence: dict[int, list] = {}
    for span in ctx.find(i, label):
        by_sentence.setdefault(span.sent.start, []).append(span)
    return by_sentence


@detector("follow_up.commitment.v1")
def commitment(ctx: ScoringContext, _params) -> Score:
    """The agent commits to a next action with a time frame ('an email within 24 hours')."""
    framed, vague = [], []
    for i in ctx.indices("agent"):
        times = _sentence_hits(ctx, "time_frame", i)
        promises = _sentence_hits(ctx, "commitment", i)
        contacts = _sentence_hits(ctx, "contact_promise", i)
        for sentence_start in set(promises) | set(contacts):
            spans = promises.get(sentence_start, []) + contacts.get(sentence_start, [])
            if sentence_start in times:
                framed.append((i, spans[0].sent))
            elif sentence_start in contacts:
                vague.append((i, contacts[sentence_start][0]))
        vague += [(i, s) for s in ctx.find(i, "vague_follow_up")]
    if framed:
        i, sent = framed[0]
        return scored(
            1.0,
            f"turn {i + 1}: commitment with a time frame ({quote(sent.text)})",
            spans_evidence(ctx, framed),
        )
    if vague:
        i, span = vague[0]
        return scored(
            0.5,
            f"turn {i + 1}: follow-up promised without a time frame ({quote(span.text)})",
            spans_evidence(ctx, vague),
        )
    return scored(0.0, "the agent made no commitment with a time frame")


class ReferenceParams(BaseModel):
    """How far (in tokens) after 'case number' the reference itself may appear."""

    model_config = ConfigDict(extra="forbid")
    window_tokens: int = Field(default=6, ge=1, le=20)


@detector("follow_up.reference_number.v1", params=ReferenceParams)
def reference_number(ctx: ScoringContext, params: ReferenceParams) -> Score:
    """The agent gives a case, ticket or reference number the customer can quote later."""
    for i in ctx.indices("agent"):
        doc = ctx.docs[i]
        for lead in ctx.find(i, "reference_number_lead"):
            for token in doc[lead.end : lead.end + params.window_tokens]:
                if len(token.text) >= 3 and any(ch.isdigit() for ch in token.text):
                    span = doc[lead.start : token.i + 1]
                    return scored(
                        1.0,
                        f"turn {i + 1}: reference given ({quote(span.text)})",
                        spans_evidence(ctx, [(i, span)]),
                    )
    return scored(0.0, "no case, ticket or reference number given")


@detector("follow_up.recap.v1")
def recap(ctx: ScoringContext, _params) -> Score:
    """The agent recaps what was done and what happens next."""
    return presence_score(
        ctx, "recap", "the agent recapped", "the agent gave no recap of next steps"
    )


@detector("follow_up.further_help.v1")
def further_help(ctx: ScoringContext, _params) -> Score:
    """The agent offers further help before the end."""
    return presence_score(
        ctx, "further_help", "the agent offered more help", "the agent never offered further help"
    )
