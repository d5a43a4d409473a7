"""Role-play detectors: scenario-specific statements and how far the customer was calmed down.

`roleplay.said.v1` checks that the agent said something a scenario needs ("confirmed the duplicate
charge", "gave a 3-5 business day time frame"). What counts is data, a `Check`: pattern-set labels
from `trainer/nlp/patterns/`, plain phrases and regular expressions. The simulated customer uses the
very same checks turn by turn, so what moves the customer is what the score rewards.

`roleplay.de_escalation.v1` reads the mood curve a role-play attempt records in the conversation's
metadata (`metadata["roleplay"]["mood"]`); on other conversations it is N/A.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trainer.conversation import Evidence
from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import plural
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored

CharSpan = tuple[int, int]


class Check(BaseModel):
    """Something said: any pattern set, phrase (case-insensitive, whole words) or regex matches."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sets: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _not_empty(self) -> Check:
        if not (self.sets or self.phrases or self.regex):
            raise ValueError("a check needs at least one of sets, phrases or regex")
        return self

    def merged(self, other: Check) -> Check:
        """One check matching whatever either check matches."""
        return Check(
            sets=self.sets + other.sets,
            phrases=self.phrases + other.phrases,
            regex=self.regex + other.regex,
        )


@lru_cache(maxsize=2048)
def _compiled(phrases: tuple[str, ...], regex: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [
        r"(?<!\w)" + r"\s+".join(re.escape(w) for w in p.replace("’", "'").split()) + r"(?!\w)"
        for p in phrases
    ]
    parts += [f"(?:{r})" for r in regex]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def request_ranges(ctx: ScoringContext, index: int) -> list[CharSpan]:
    """Sentences of turn `index` that ask for something: questions, or with a request cue."""
    cues = [span.start_char for span in ctx.find(index, "rp_request")]
    return [
        (sent.start_char, sent.end_char)
        for sent in ctx.docs[index].sents
        if sent.text.rstrip().endswith("?")
        or any(sent.start_char <= cue < sent.end_char for cue in cues)
    ]


def check_spans(
    ctx: ScoringContext, index: int, check: Check, asked: bool = False
) -> list[CharSpan]:
    """Character spans in turn `index` where `check` matches, in text order.

    With `asked`, only matches inside a request (a question, or a sentence with a request cue
    such as "could you" or "please") count: "what's the order number?", not "the order shipped".
    """
    spans: list[CharSpan] = [
        (span.start_char, span.end_char) for label in check.sets for span in ctx.find(index, label)
    ]
    pattern = _compiled(check.phrases, check.regex)
    if pattern is not None:
        text = ctx.turns[index].text.replace("’", "'")
        spans += [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    if asked:
        ranges = request_ranges(ctx, index)
        spans = [s for s in spans if any(lo <= s[0] < hi for lo, hi in ranges)]
    return sorted(set(spans))


class SaidParams(BaseModel):
    """Every check must match: in one turn (`same_turn`) or each in some turn of `speaker`.

    With `asked`, a match counts only inside a question or request ("could I have your name?").
    """

    model_config = ConfigDict(extra="forbid")
    all: list[Check] = Field(min_length=1)
    same_turn: bool = True
    asked: bool = False
    speaker: Literal["agent", "customer"] = "agent"
    what: str = Field(default="said what the scenario needs", min_length=1)


def _same_turn(ctx: ScoringContext, params: SaidParams) -> Score:
    best: tuple[int, int] | None = None  # (checks matched, turn)
    for i in ctx.indices(params.speaker):
        hits = [check_spans(ctx, i, check, params.asked) for check in params.all]
        matched = sum(1 for h in hits if h)
        if matched == len(params.all):
            evidence = [ctx.evidence(i, h[0]) for h in hits]
            return scored(1.0, f"turn {i + 1}: {params.what}", _unique(evidence))
        if matched and (best is None or matched > best[0]):
            best = (matched, i)
    if best is None:
        return scored(0.0, f"never {params.what}")
    return scored(
        0.0,
        f"never {params.what} (closest: turn {best[1] + 1}, "
        f"{best[0]} of {plural(len(params.all), 'part')})",
        [ctx.evidence(best[1])],
    )


def _across_turns(ctx: ScoringContext, params: SaidParams) -> Score:
    evidence: list[Evidence] = []
    for check in params.all:
        found = next(
            (
                (i, spans[0])
                for i in ctx.indices(params.speaker)
                if (spans := check_spans(ctx, i, check, params.asked))
            ),
            None,
        )
        if found is not None:
            evidence.append(ctx.evidence(*found))
    done = len(evidence)
    total = len(params.all)
    if done == total:
        last = max(e.turn for e in evidence)
        return scored(1.0, f"by turn {last + 1}: {params.what}", _unique(evidence))
    return scored(
        done / total,
        f"{params.what}: only {done} of {plural(total, 'part')} said",
        _unique(evidence),
    )


def _unique(evidence: list[Evidence]) -> list[Evidence]:
    return sorted(set(evidence), key=lambda e: (e.turn, e.start))


@detector("roleplay.said.v1", params=SaidParams)
def said(ctx: ScoringContext, params: SaidParams) -> Score:
    """The agent said what a scenario needs (checks of pattern sets, phrases and regexes)."""
    if not ctx.indices(params.speaker):
        return unscored(f"the conversation has no {params.speaker} turns")
    return _same_turn(ctx, params) if params.same_turn else _across_turns(ctx, params)


class DeEscalationParams(BaseModel):
    """The mood (0 calm .. 10 leaving) a customer should be brought down to."""

    model_config = ConfigDict(extra="forbid")
    calm_at: int = Field(default=3, ge=0, le=10)


@detector("roleplay.de_escalation.v1", params=DeEscalationParams)
def de_escalation(ctx: ScoringContext, params: DeEscalationParams) -> Score:
    """A role-play customer ends calmer than they started (from the recorded mood curve)."""
    record = ctx.conversation.metadata.get("roleplay") or {}
    mood = record.get("mood") or []
    if not mood:
        return not_applicable("no mood was recorded: this is not a role-play attempt")
    turns = record.get("mood_turns") or []
    start, end, peak = mood[0], mood[-1], max(mood)
    evidence = _biggest_drop(ctx, mood, turns)
    if record.get("outcome") == "customer_left":
        return scored(0.0, f"the customer left at mood {end}/10 (started at {start})", evidence)
    room = max(1, max(start, peak) - params.calm_at)
    value = min(1.0, max(0.0, 1 - max(0, end - params.calm_at) / room))
    text = f"mood went from {start} to {end} (peak {peak}); calm is {params.calm_at} or below"
    return scored(value, text, evidence, start=start, end=end, peak=peak)


def _biggest_drop(ctx: ScoringContext, mood: list, turns: list) -> list[Evidence]:
    """The agent reply before the customer turn where the mood fell most."""
    if len(turns) != len(mood):
        return []
    drops = [(mood[k - 1] - mood[k], k) for k in range(1, len(mood)) if mood[k] < mood[k - 1]]
    if not drops:
        return []
    _, k = max(drops)
    replies = [i for i in ctx.indices("agent") if i < turns[k]]
    return [ctx.evidence(replies[-1])] if replies else []
