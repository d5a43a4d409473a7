"""Reaction rules: how a reply moves the customer's mood, and which reactions they voice.

Each rule is one small function registered with `@rule`, with a default mood change (negative
calms, positive inflames), how many times it may move the mood, and whether the customer says
something about it. A persona's temperament adjusts the defaults and a scenario's `reactions:`
section tunes them further, so the same engine plays a worried first-time user and a hostile caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from trainer.roleplay.lines import DEFAULT_LINES
from trainer.roleplay.schema import LineSet, Scenario
from trainer.roleplay.signals import REPLY, Reading
from trainer.roleplay.state import CustomerState
from trainer.scoring.detectors.roleplay import check_spans


@dataclass(frozen=True)
class TurnProgress:
    """What one reply achieved: facts the customer gave, facts refused, requirements met."""

    revealed: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    met: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """True when the reply moved the conversation forward."""
        return bool(self.revealed or self.met)


@dataclass(frozen=True)
class Hit:
    """A rule fired: a detail to quote, and how many times it counts (progress counts per item)."""

    detail: str = ""
    times: int = 1


RuleFn = Callable[[Reading, TurnProgress, CustomerState], Hit | None]


@dataclass(frozen=True)
class RuleSpec:
    """A registered reaction rule."""

    name: str
    description: str
    mood: int
    max_times: int | None
    voiced: bool
    fn: RuleFn


RULES: dict[str, RuleSpec] = {}


def rule(
    name: str, *, mood: int, max_times: int | None = None, voiced: bool = False
) -> Callable[[RuleFn], RuleFn]:
    """Register a reaction rule; registration order is the order reactions are voiced in."""

    def wrap(fn: RuleFn) -> RuleFn:
        if name in RULES:
            raise ValueError(f"reaction rule {name!r} is registered twice")
        doc = (fn.__doc__ or name).strip().splitlines()[0]
        RULES[name] = RuleSpec(name, doc, mood, max_times, voiced, fn)
        return fn

    return wrap


def _on_signal(
    name: str, *, mood: int, max_times: int | None = None, voiced: bool = False, doc: str
) -> None:
    """Register a rule that fires whenever signal `name` is read in the reply."""

    def fn(reading: Reading, _progress: TurnProgress, _state: CustomerState) -> Hit | None:
        return Hit(reading.quote(name)) if reading.has(name) else None

    fn.__doc__ = doc
    rule(name, mood=mood, max_times=max_times, voiced=voiced)(fn)


# Inflaming reactions, voiced in this order (at most two per reply).
_on_signal("dismissive", mood=2, voiced=True, doc="A dismissive phrase ('calm down') inflames.")
_on_signal("blame", mood=2, voiced=True, doc="Blaming the customer inflames.")


@rule("ignored_feelings", mood=1, voiced=True)
def _ignored_feelings(
    reading: Reading, _progress: TurnProgress, _state: CustomerState
) -> Hit | None:
    """Feelings the reply did not acknowledge (a dismissive reply already counts for more)."""
    if reading.has("ignored_feelings") and not reading.has("dismissive"):
        return Hit(reading.quote("ignored_feelings"))
    return None


_on_signal("cannot_help", mood=1, voiced=True, doc="'Nothing I can do' leaves them stuck.")
_on_signal("deflected", mood=1, voiced=True, doc="A transfer or 'call back later' frustrates.")
_on_signal("vague_promise", mood=1, voiced=True, doc="A promise with no time frame is pushed back.")
_on_signal("vague_answer", mood=1, voiced=True, doc="'I'm not sure', 'maybe' worry the customer.")
_on_signal("jargon", mood=1, voiced=True, doc="Unexplained jargon confuses the customer.")
_on_signal("hard_to_follow", mood=0, voiced=True, doc="Long, dense sentences lose the customer.")


@rule("stalled", mood=1, voiced=True)
def _stalled(_reading: Reading, progress: TurnProgress, state: CustomerState) -> Hit | None:
    """A reply that moves nothing forward, once the customer's patience has run out."""
    return Hit() if not progress.any and state.patience < 0 else None


# Calming reactions: they move the mood a limited number of times.
_on_signal("acknowledged", mood=-1, max_times=2, doc="Acknowledging feelings calms the customer.")
_on_signal("apologised", mood=-1, max_times=1, doc="A sincere apology calms the customer.")
_on_signal("ownership", mood=-1, max_times=2, doc="Taking ownership ('I'll sort this') calms.")
_on_signal("reassured", mood=0, max_times=2, doc="Reassurance calms a worried customer.")
_on_signal("checked_understanding", mood=0, max_times=2, doc="Checking understanding helps.")
_on_signal("uses_name", mood=0, max_times=1, doc="Using the customer's name.")
_on_signal("boundary", mood=0, max_times=1, voiced=True, doc="A calm, respectful boundary.")


@rule("progress", mood=-1)
def _progress(_reading: Reading, progress: TurnProgress, _state: CustomerState) -> Hit | None:
    """A reply that meets requirements brings the customer closer to what they want."""
    return Hit(", ".join(progress.met)) if progress.met else None


#: How each temperament shifts the default mood changes.
TEMPERAMENTS: dict[str, dict[str, int]] = {
    "calm": {"dismissive": 1, "blame": 1, "ignored_feelings": 0, "vague_answer": 0},
    "anxious": {
        "vague_promise": 2,
        "vague_answer": 2,
        "reassured": -1,
        "ignored_feelings": 1,
    },
    "impatient": {"stalled": 2, "deflected": 2, "vague_answer": 1},
    "frustrated": {},
    "angry": {"deflected": 2, "ignored_feelings": 1},
    "confused": {
        "jargon": 2,
        "hard_to_follow": 1,
        "checked_understanding": -1,
        "reassured": -1,
    },
    "hostile": {"dismissive": 3, "blame": 3, "boundary": -2, "ignored_feelings": 1},
}


@dataclass(frozen=True)
class RuleSettings:
    """A rule's effective tuning for one scenario."""

    mood: int
    max_times: int | None
    lines: LineSet = field(default_factory=list)


def settings_for(scenario: Scenario) -> dict[str, RuleSettings]:
    """Each rule's mood change, limit and lines: defaults, then temperament, then the scenario."""
    temperament = TEMPERAMENTS.get(scenario.persona.temperament, {})
    settings = {t.id: RuleSettings(t.mood, t.max_times, list(t.lines)) for t in scenario.triggers}
    for name, spec in RULES.items():
        override = scenario.reactions.get(name)
        mood = temperament.get(name, spec.mood)
        max_times = spec.max_times
        lines = DEFAULT_LINES.get(name, [])
        if override is not None:
            mood = override.mood if override.mood is not None else mood
            max_times = override.max_times if override.max_times is not None else max_times
            lines = override.lines or lines
        settings[name] = RuleSettings(mood, max_times, list(lines))
    return settings


@dataclass(frozen=True)
class Reaction:
    """A rule that fired on a reply and what it did to the mood."""

    rule: str
    mood: int
    detail: str
    voiced: bool

    def as_dict(self) -> dict:
        """JSON shape kept in the attempt log."""
        return {"rule": self.rule, "mood": self.mood, "detail": self.detail}


def _count(name: str, hit: Hit, tuning: RuleSettings, state: CustomerState) -> int:
    """How many times this hit moves the mood, within the rule's limit; counted in the state."""
    used = state.rule_counts.get(name, 0)
    times = hit.times
    if tuning.max_times is not None:
        times = max(0, min(times, tuning.max_times - used))
    if times:
        state.rule_counts[name] = used + times
    return times


def react(
    reading: Reading,
    progress: TurnProgress,
    state: CustomerState,
    settings: dict[str, RuleSettings],
    scenario: Scenario,
) -> list[Reaction]:
    """Every rule and scenario trigger that fires on this reply, with its mood change (zero
    once it reached its limit). Counts how often each has moved the mood in `state.rule_counts`.
    """
    reactions = []
    for name, spec in RULES.items():
        hit = spec.fn(reading, progress, state)
        if hit is not None:
            tuning = settings[name]
            times = _count(name, hit, tuning, state)
            reactions.append(Reaction(name, tuning.mood * times, hit.detail, spec.voiced))
    for trigger in scenario.triggers:
        spans = check_spans(reading.ctx, REPLY, trigger.when)
        if spans:
            detail = reading.text[spans[0][0] : spans[0][1]]
            tuning = RuleSettings(trigger.mood, trigger.max_times, list(trigger.lines))
            times = _count(trigger.id, Hit(detail), tuning, state)
            reactions.append(Reaction(trigger.id, trigger.mood * times, detail, True))
    return reactions
