"""Speech detectors for calls: pace, dead air, interruptions, overtalk (N/A for chats)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored


def _metrics(ctx: ScoringContext) -> dict | None:
    return ctx.conversation.metadata.get("speech") if ctx.conversation.channel == "call" else None


def _turn_evidence(ctx: ScoringContext, index: int):
    return [ctx.evidence(index)] if 0 <= index < len(ctx.turns) else []


class RateParams(BaseModel):
    """The comfortable band of agent speech rate, in words per minute."""

    model_config = ConfigDict(extra="forbid")
    min_wpm: float = Field(default=120, gt=0)
    max_wpm: float = Field(default=160, gt=0)
    tolerance_wpm: float = Field(default=40, gt=0)


@detector("speech.rate.v1", params=RateParams)
def speech_rate(ctx: ScoringContext, params: RateParams) -> Score:
    """The agent speaks at a comfortable pace (default 120-160 words per minute)."""
    metrics = _metrics(ctx)
    if metrics is None:
        return not_applicable("speech rate applies to calls only")
    wpm = (metrics.get("words_per_minute") or {}).get("agent")
    if wpm is None:
        return unscored("the agent spoke too little to measure a pace")
    if params.min_wpm <= wpm <= params.max_wpm:
        return scored(
            1.0, f"agent pace {wpm:.0f} wpm, within {params.min_wpm:.0f}-{params.max_wpm:.0f}"
        )
    off = params.min_wpm - wpm if wpm < params.min_wpm else wpm - params.max_wpm
    word = "slow" if wpm < params.min_wpm else "fast"
    return scored(
        max(0.0, 1 - off / params.tolerance_wpm),
        f"agent pace {wpm:.0f} wpm is too {word} (band {params.min_wpm:.0f}-{params.max_wpm:.0f})",
        wpm=wpm,
    )


class DeadAirParams(BaseModel):
    """How many unannounced silences over 10 s a call may have before it scores 0."""

    model_config = ConfigDict(extra="forbid")
    allowed: int = Field(default=0, ge=0)


@detector("speech.dead_air.v1", params=DeadAirParams)
def dead_air(ctx: ScoringContext, params: DeadAirParams) -> Score:
    """No unannounced silence over 10 seconds (an announced hold is not dead air)."""
    metrics = _metrics(ctx)
    if metrics is None:
        return not_applicable("dead air applies to calls only")
    gaps = metrics.get("dead_air") or []
    if len(gaps) <= params.allowed:
        return scored(1.0, "no unannounced silence over 10 s")
    longest = max(gaps, key=lambda g: g["seconds"])
    evidence = [e for g in gaps for e in _turn_evidence(ctx, g["after_turn"])]
    return scored(
        max(0.0, 1 - 0.5 * (len(gaps) - params.allowed)),
        f"{len(gaps)} unannounced silence(s) over 10 s; longest {longest['seconds']:.0f} s "
        f"at {longest['start']:.0f} s",
        evidence,
        gaps=len(gaps),
    )


@detector("speech.interruptions.v1")
def interruptions(ctx: ScoringContext, _params) -> Score:
    """The agent lets the customer finish (no talking over them)."""
    metrics = _metrics(ctx)
    if metrics is None:
        return not_applicable("interruptions are measured on calls only")
    count = int(metrics.get("agent_interruptions") or 0)
    if count == 0:
        return scored(1.0, "the agent never started talking over the customer")
    return scored(
        max(0.0, 1 - 0.5 * count),
        f"the agent started talking over the customer {count} time(s) "
        f"({metrics.get('overtalk_seconds', 0):.1f} s of overtalk in all)",
        count=count,
    )
