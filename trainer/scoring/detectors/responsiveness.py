"""Responsiveness: how long the customer waited. A chat's first response and its longest wait
for an agent reply (from the messages' times; N/A without them), and a call's holds (the
announced silences the speech metrics measured), and transfers: warm (the customer's context
passed on) or cold, and how many. Customers remember waiting and repeating themselves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.tokens import Span

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import plural, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored


class WaitParams(BaseModel):
    """A wait up to `target_seconds` scores 1, one of `max_seconds` or longer 0, and one in
    between in proportion."""

    model_config = ConfigDict(extra="forbid")
    target_seconds: float = Field(gt=0, allow_inf_nan=False)
    max_seconds: float = Field(gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> WaitParams:
        if self.max_seconds <= self.target_seconds:
            raise ValueError("max_seconds must be more than target_seconds")
        return self

    def value(self, seconds: float) -> float:
        """The score of a wait of `seconds`."""
        if seconds <= self.target_seconds:
            return 1.0
        return max(
            0.0, 1 - (seconds - self.target_seconds) / (self.max_seconds - self.target_seconds)
        )


class FirstResponseParams(WaitParams):
    """Defaults: answered within a minute is on target, after 5 minutes it scores 0."""

    target_seconds: float = Field(default=60, gt=0, allow_inf_nan=False)
    max_seconds: float = Field(default=300, gt=0, allow_inf_nan=False)


class LongestWaitParams(WaitParams):
    """Defaults: no wait over 2 minutes is on target; one of 10 minutes scores 0."""

    target_seconds: float = Field(default=120, gt=0, allow_inf_nan=False)
    max_seconds: float = Field(default=600, gt=0, allow_inf_nan=False)


class HoldParams(WaitParams):
    """Defaults: holds up to a minute are on target; one of 3 minutes scores 0."""

    target_seconds: float = Field(default=60, gt=0, allow_inf_nan=False)
    max_seconds: float = Field(default=180, gt=0, allow_inf_nan=False)


def _waits(ctx: ScoringContext) -> list[tuple[int, int, float]] | None:
    """Every time the customer waited for the agent: (first unanswered customer turn, the agent
    turn that answered, seconds), in order. None when a turn lacks its time (nothing can be
    measured honestly then)."""
    turns = ctx.turns
    if any(t.start is None for t in turns):
        return None
    waits: list[tuple[int, int, float]] = []
    waiting_since: int | None = None
    for i, turn in enumerate(turns):
        if turn.speaker == "customer" and waiting_since is None:
            waiting_since = i
        elif turn.speaker == "agent" and waiting_since is not None:
            waits.append((waiting_since, i, max(0.0, turn.start - turns[waiting_since].start)))
            waiting_since = None
    return waits


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f}".removesuffix(".0") + " min"


def _chat_waits(ctx: ScoringContext) -> tuple[list[tuple[int, int, float]] | None, str | None]:
    """The waits of a chat, or why there are none to score."""
    if ctx.conversation.channel != "chat":
        return None, "response times are measured on chats (calls are answered live)"
    waits = _waits(ctx)
    if waits is None:
        return None, "the messages carry no times, so waits cannot be measured"
    if not waits:
        return None, "the customer never waited for an agent reply"
    return waits, None


@detector("responsiveness.first_response.v1", params=FirstResponseParams)
def first_response(ctx: ScoringContext, params: FirstResponseParams) -> Score:
    """The agent answers the customer's first message promptly (chats with message times)."""
    waits, why_not = _chat_waits(ctx)
    if waits is None:
        return not_applicable(why_not)
    asked, answered, seconds = waits[0]
    verdict = "within" if seconds <= params.target_seconds else "over"
    return scored(
        params.value(seconds),
        f"turn {answered + 1}: first reply {_minutes(seconds)} after the customer's first "
        f"message (turn {asked + 1}), {verdict} the {_minutes(params.target_seconds)} target",
        [ctx.evidence(asked), ctx.evidence(answered)],
        seconds=round(seconds, 1),
    )


@detector("responsiveness.longest_wait.v1", params=LongestWaitParams)
def longest_wait(ctx: ScoringContext, params: LongestWaitParams) -> Score:
    """The customer never waits long for an agent reply (chats with message times)."""
    waits, why_not = _chat_waits(ctx)
    if waits is None:
        return not_applicable(why_not)
    asked, answered, seconds = max(waits, key=lambda w: w[2])
    over = [w for w in waits if w[2] > params.target_seconds]
    summary = (
        f"{plural(len(over), 'wait')} over {_minutes(params.target_seconds)}"
        if over
        else f"no wait over {_minutes(params.target_seconds)}"
    )
    return scored(
        params.value(seconds),
        f"longest wait {_minutes(seconds)}, from turn {asked + 1} to the reply in turn "
        f"{answered + 1}; {summary}",
        [ctx.evidence(asked), ctx.evidence(answered)],
        seconds=round(seconds, 1),
        waits_over_target=len(over),
    )


@detector("responsiveness.holds.v1", params=HoldParams)
def holds(ctx: ScoringContext, params: HoldParams) -> Score:
    """Holds are short (calls): the longest announced hold is scored against the target."""
    if ctx.conversation.channel != "call":
        return not_applicable("holds are measured on calls")
    metrics = ctx.conversation.metadata.get("speech") or {}
    found = metrics.get("holds") or []
    if not found:
        return not_applicable("the customer was not put on hold")
    longest = max(found, key=lambda h: h["seconds"])
    total = sum(h["seconds"] for h in found)
    after = longest.get("after_turn", -1)
    evidence = [ctx.evidence(after)] if 0 <= after < len(ctx.turns) else []
    return scored(
        params.value(longest["seconds"]),
        f"{plural(len(found), 'hold')}, {_minutes(total)} in all; longest "
        f"{_minutes(longest['seconds'])} at {longest['start']:.0f} s "
        f"(target {_minutes(params.target_seconds)})",
        evidence,
        holds=len(found),
        hold_seconds=round(total, 1),
        longest_seconds=round(longest["seconds"], 1),
    )


class TransferParams(BaseModel):
    """How close (in turns) the context must be to the transfer to make it warm, and the most a
    conversation transferred more than once may score."""

    model_config = ConfigDict(extra="forbid")
    context_within_turns: int = Field(default=2, ge=0)
    repeated_cap: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)


def _transfers(ctx: ScoringContext) -> list[list[tuple[int, Span]]]:
    """The transfers of a conversation, each the hits that announce it: an agent's "I'll
    transfer you" and their "transferring you now" a turn or two later are one transfer, which
    a system notice ("chat transferred") closes; a mention after that is another transfer."""
    agent_turns = ctx.indices("agent")
    if not agent_turns:
        return []
    # A notice before the agent's first word is the chat reaching them ("transferred from
    # Sales"): another agent's transfer, not theirs.
    notices = [h for h in ctx.find_all("transfer", "system") if h[0] > agent_turns[0]]
    hits = sorted(ctx.find_all("transfer", "agent") + notices, key=lambda h: (h[0], h[1].start))
    events: list[list[tuple[int, Span]]] = []
    for hit in hits:
        closed = bool(events) and any(ctx.turns[i].speaker == "system" for i, _ in events[-1])
        if events and not closed and hit[0] - events[-1][-1][0] <= 2:
            events[-1].append(hit)
        else:
            events.append([hit])
    return events


@detector("responsiveness.transfer_handoff.v1", params=TransferParams)
def transfer_handoff(ctx: ScoringContext, params: TransferParams) -> Score:
    """A transfer is warm (the agent passes the customer's context on) and happens once."""
    events = _transfers(ctx)
    if not events:
        return not_applicable("the customer was not transferred")
    context = ctx.find_all("warm_handoff", "agent")
    reach = params.context_within_turns
    # each transfer's first context phrase near it (None: a cold transfer)
    warm = [
        next((c for c in context if e[0][0] - reach <= c[0] <= e[-1][0] + reach), None)
        for e in events
    ]
    passed_on = [w for w in warm if w is not None]
    value = len(passed_on) / len(events)
    evidence = spans_evidence(ctx, [e[0] for e in events] + passed_on)
    parts = [
        f"turn {e[0][0] + 1}: {'warm' if w else 'cold'} transfer ({quote(e[0][1].text)})"
        for e, w in zip(events, warm, strict=True)
    ]
    if len(events) > 1:
        value = min(value, params.repeated_cap)
        parts.append(f"transferred {len(events)} times")
    return scored(
        value,
        "; ".join(parts),
        evidence,
        transfers=len(events),
        warm=len(passed_on),
    )
