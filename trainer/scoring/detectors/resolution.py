"""First-contact resolution: a fix stated and confirmed; no transfer, call-back or open ending."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import first_hit, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, scored, unscored


def confirmed_resolution(ctx: ScoringContext):
    """(statement hit, confirmation hit or None); statement None when the agent stated no fix."""
    statements = ctx.find_all("resolution_stated", "agent")
    if not statements:
        return None, None
    for statement in statements:
        confirmation = first_hit(ctx, "customer_confirms", "customer", after=statement[0])
        if confirmation and not first_hit(
            ctx, "unresolved_customer", "customer", after=confirmation[0]
        ):
            return statement, confirmation
    return statements[-1], None


@detector("resolution.confirmed.v1")
def confirmed(ctx: ScoringContext, _params) -> Score:
    """The agent states a resolution and the customer confirms it (half when unconfirmed)."""
    statement, confirmation = confirmed_resolution(ctx)
    if statement is None:
        return scored(0.0, "the agent never stated that the problem was resolved")
    if confirmation is None:
        return scored(
            0.5,
            f"turn {statement[0] + 1}: the agent stated a fix ({quote(statement[1].text)}) "
            "but the customer did not confirm it",
            spans_evidence(ctx, [statement]),
        )
    return scored(
        1.0,
        f"turn {statement[0] + 1}: fix stated; turn {confirmation[0] + 1}: the customer confirmed",
        spans_evidence(ctx, [statement, confirmation]),
    )


class DeflectionParams(BaseModel):
    """Whether an escalation that ends in a confirmed fix still counts against the agent."""

    model_config = ConfigDict(extra="forbid")
    escalation_counts_when_resolved: bool = False


@detector("resolution.no_deflection.v1", params=DeflectionParams)
def no_deflection(ctx: ScoringContext, params: DeflectionParams) -> Score:
    """Not handed off: no transfer, no 'call back later', no unresolved escalation."""
    hits = ctx.find_all("transfer", "agent") + ctx.find_all("transfer", "system")
    hits += ctx.find_all("call_back_later", "agent")
    _, confirmation = confirmed_resolution(ctx)
    if confirmation is None or params.escalation_counts_when_resolved:
        hits += ctx.find_all("escalation", "agent")
    if not hits:
        return scored(1.0, "handled on this contact: no transfer, escalation or call-back")
    hits.sort(key=lambda h: (h[0], h[1].start))
    index, span = hits[0]
    return scored(
        0.0,
        f"turn {index + 1}: the contact was handed off ({quote(span.text)})",
        spans_evidence(ctx, hits),
    )


@detector("resolution.ending.v1")
def ending(ctx: ScoringContext, _params) -> Score:
    """The customer's last words show the issue settled, not left open."""
    customer_turns = ctx.indices("customer")
    if not customer_turns:
        return unscored("the customer said nothing")
    last = customer_turns[-2:]
    for label, value, what in (
        ("unresolved_customer", 0.0, "the customer ended with the problem still open"),
        ("cannot_resolve", 0.0, "the agent ended saying it cannot be resolved"),
        ("customer_confirms", 1.0, "the customer ended satisfied"),
        ("customer_thanks", 1.0, "the customer ended with thanks"),
    ):
        speaker_turns = last if label != "cannot_resolve" else ctx.indices("agent")[-2:]
        hits = [(i, s) for i in speaker_turns for s in ctx.find(i, label)]
        if hits:
            i, span = hits[-1]
            return scored(
                value, f"turn {i + 1}: {what} ({quote(span.text)})", spans_evidence(ctx, hits)
            )
    return unscored(
        "the ending shows neither a settled issue nor an open one; a reviewer should decide"
    )
