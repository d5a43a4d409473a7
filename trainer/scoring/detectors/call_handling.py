"""Call handling: greeting with a name or company, verifying identity, closing politely."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import first_hit, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored


class GreetingParams(BaseModel):
    """How many opening agent turns may hold the greeting."""

    model_config = ConfigDict(extra="forbid")
    within_first_agent_turns: int = Field(default=2, ge=1)


def _names_someone(span) -> bool:
    """An introduction counts when a capitalised name or company follows it ('this is Sam')."""
    doc = span.doc
    following = doc[span.end : span.end + 3]
    return any(t.is_title or t.is_upper for t in following if not t.is_punct)


@detector("call_handling.greeting.v1", params=GreetingParams)
def greeting(ctx: ScoringContext, params: GreetingParams) -> Score:
    """The agent opens with a greeting that gives their name or the company's."""
    opening = ctx.indices("agent")[: params.within_first_agent_turns]
    if not opening:
        return unscored("the conversation has no agent turns")
    greetings = [(i, s) for i in opening for s in ctx.find(i, "greeting")]
    intros = [
        (i, s) for i in opening for s in ctx.find(i, "agent_introduction") if _names_someone(s)
    ]
    if greetings and intros:
        return scored(
            1.0,
            f"turn {intros[0][0] + 1}: greeted with a name or company "
            f"({quote(intros[0][1].sent.text)})",
            spans_evidence(ctx, greetings[:1] + intros[:1]),
        )
    if greetings:
        return scored(
            0.5,
            f"turn {greetings[0][0] + 1}: greeted, but gave no name or company",
            spans_evidence(ctx, greetings[:1]),
        )
    return scored(0.0, "the agent did not open with a greeting")


@detector("call_handling.verification.v1")
def verification(ctx: ScoringContext, _params) -> Score:
    """When account data is touched, the agent verifies the customer's identity first."""
    touched = first_hit(ctx, "account_data", "agent") or first_hit(ctx, "account_data", "customer")
    if touched is None:
        return not_applicable("no account data was discussed, so no verification was needed")
    check = first_hit(ctx, "verification", "agent")
    if check is None:
        return scored(
            0.0,
            f"turn {touched[0] + 1}: account data discussed ({quote(touched[1].text)}) "
            "without verifying the customer's identity",
            spans_evidence(ctx, [touched]),
        )
    action = first_hit(ctx, "resolution_stated", "agent")
    if action is not None and action[0] < check[0]:
        return scored(
            0.5,
            f"turn {check[0] + 1}: identity checked only after the account was changed "
            f"in turn {action[0] + 1}",
            spans_evidence(ctx, [check, action]),
        )
    return scored(
        1.0,
        f"turn {check[0] + 1}: identity verified ({quote(check[1].sent.text)})",
        spans_evidence(ctx, [check]),
    )


@detector("call_handling.closing.v1")
def closing(ctx: ScoringContext, _params) -> Score:
    """The agent closes the conversation politely in their last turns."""
    agent_turns = ctx.indices("agent")
    if not agent_turns:
        return unscored("the conversation has no agent turns")
    hits = [(i, s) for i in agent_turns[-2:] for s in ctx.find(i, "closing")]
    if hits:
        return scored(
            1.0,
            f"turn {hits[0][0] + 1}: closed politely ({quote(hits[0][1].text)})",
            spans_evidence(ctx, hits[:1]),
        )
    return scored(0.0, "the agent's last turns hold no closing")
