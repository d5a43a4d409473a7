"""The simulated customer: reads each reply, moves its mood, reveals facts, answers, and ends.

Deterministic: the same replies with the same seed give the same lines, moods and outcome. No
network is needed; an optional phraser (see `trainer.roleplay.phrasing`) may reword the lines the
engine chose, but never decides mood or outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language

from trainer.errors import ScenarioError
from trainer.nlp.pipeline import load_nlp
from trainer.roleplay.lines import DEFAULT_LINES, choose
from trainer.roleplay.reactions import Reaction, TurnProgress, react, settings_for
from trainer.roleplay.schema import LineSet, Scenario
from trainer.roleplay.signals import REPLY, Reading, read_reply
from trainer.roleplay.state import CustomerState
from trainer.scoring.detectors.roleplay import check_spans

#: Replies the customer waits for a goodbye after being satisfied, before ending on their own.
WRAP_UP_REPLIES = 2
#: Voiced reactions per reply, at most.
MAX_VOICED = 2


@dataclass(frozen=True)
class CustomerTurn:
    """The customer's answer to one reply, and what the reply did."""

    text: str
    kind: str
    mood_before: int
    mood: int
    status: str
    outcome: str | None
    reactions: tuple[Reaction, ...]
    progress: TurnProgress
    signals: dict[str, str]

    @property
    def ended(self) -> bool:
        """True when this answer closed the attempt."""
        return self.status == "ended"


class SimulatedCustomer:
    """A scenario's customer, played by rules."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        state: CustomerState | None = None,
        nlp: Language | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.nlp = nlp or load_nlp()
        self.settings = settings_for(scenario)
        persona = scenario.persona
        self.state = state or CustomerState(
            mood=persona.mood,
            patience=persona.patience,
            revealed=[f.id for f in scenario.facts if f.volunteered],
        )

    def opening(self) -> str:
        """The customer's first line (it also becomes the line the first reply answers)."""
        text = self._say(self.scenario.lines.opening, "opening", 0)
        self.state.last_line = text
        return text

    def respond(self, reply: str) -> CustomerTurn:
        """Read the trainee's reply, update mood and progress, and answer it."""
        state = self.state
        if state.ended:
            raise ScenarioError(
                "this attempt has ended; no more replies are taken",
                where=self.scenario.id,
                fix="start a new attempt",
            )
        if not reply.strip():
            raise ScenarioError("the reply is empty", where=self.scenario.id, fix="type a reply")
        mood_before = state.mood
        reading = read_reply(state.last_line, reply, self.scenario.persona.name, self.nlp)
        progress = self._progress(reading) if state.status == "open" else TurnProgress()
        if state.status == "open" and not progress.any and not self._helpful(reading):
            state.patience -= 1
        reactions = react(reading, progress, state, self.settings, self.scenario)
        state.mood = min(10, max(0, state.mood + sum(r.mood for r in reactions)))
        if state.status == "open":
            state.replies += 1
            kind, text = self._answer_open(reading, progress, reactions, mood_before)
        else:
            state.wrap_replies += 1
            kind, text = self._answer_wrap_up(reading, reactions)
        state.last_line = text
        signals = {name: reading.quote(name) for name in reading.signals}
        return CustomerTurn(
            text,
            kind,
            mood_before,
            state.mood,
            state.status,
            state.outcome,
            tuple(reactions),
            progress,
            signals,
        )

    # -- progress -------------------------------------------------------------------------------

    def _progress(self, reading: Reading) -> TurnProgress:
        """Reveal the facts the reply asked for properly, and mark requirements now met."""
        state, ctx = self.state, reading.ctx
        revealed, refused, met = [], [], []
        for fact in self.scenario.facts:
            if fact.id in state.revealed or not check_spans(ctx, REPLY, fact.ask, asked=True):
                continue
            if state.mood > fact.max_mood:
                refused.append(fact.id)
            else:
                revealed.append(fact.id)
                state.revealed.append(fact.id)
        for requirement in self.scenario.requirements:
            if requirement.id in state.met or any(a not in state.met for a in requirement.after):
                continue
            if requirement.facts:
                done = all(
                    any(f in state.revealed for f in group) for group in requirement.fact_groups()
                )
            else:
                done = all(check_spans(ctx, REPLY, check) for check in requirement.said)
            if done:
                met.append(requirement.id)
                state.met.append(requirement.id)
        return TurnProgress(tuple(revealed), tuple(refused), tuple(met))

    def _resolved(self) -> bool:
        limit = self.scenario.resolution.max_mood
        all_met = len(self.state.met) == len(self.scenario.requirements)
        return all_met and (limit is None or self.state.mood <= limit)

    # -- answers --------------------------------------------------------------------------------

    def _answer_open(
        self,
        reading: Reading,
        progress: TurnProgress,
        reactions: list[Reaction],
        mood_before: int,
    ) -> tuple[str, str]:
        state, lines = self.state, self.scenario.lines
        turn = state.replies
        if state.mood >= self.scenario.persona.leaves_at:
            state.end("customer_left")
            return "leaving", self._say(lines.leaving, "leaving", turn)
        voiced = self._voiced(reactions, turn)
        if self._resolved():
            state.status = "wrapping_up"
            parts = [self._say(lines.satisfied, "satisfied", turn)]
            if reading.has("closing"):
                state.end("resolved")
                parts.append(self._say(lines.farewell or DEFAULT_LINES["farewell"], "bye", turn))
            return "satisfied", " ".join(parts)
        if state.replies >= self.scenario.max_turns:
            state.end("turn_limit")
            text = self._say(lines.turn_limit or DEFAULT_LINES["turn_limit"], "limit", turn)
            return "turn_limit", text
        parts = list(voiced)
        if not voiced:
            parts += self._progress_lines(progress, mood_before, turn)
        parts += [
            self._say(self.scenario.fact(f).answer, f"fact:{f}", turn, value=self._value(f))
            for f in progress.revealed
        ]
        if progress.refused and not progress.revealed:
            parts.append(self._say(lines.refuse_fact or DEFAULT_LINES["refuse_fact"], "ref", turn))
        if not progress.revealed and len(parts) < MAX_VOICED:
            parts += self._nudge(turn)
        if not parts:
            parts.append(self._say(lines.stalled or DEFAULT_LINES["stalled"], "stalled", turn))
        return "answer", " ".join(p for p in parts if p)

    def _answer_wrap_up(self, reading: Reading, reactions: list[Reaction]) -> tuple[str, str]:
        state, lines = self.state, self.scenario.lines
        turn = state.replies + state.wrap_replies
        voiced = self._voiced(reactions, turn)[:1]
        if reading.has("closing") or state.wrap_replies >= WRAP_UP_REPLIES:
            state.end("resolved")
            bye = self._say(lines.farewell or DEFAULT_LINES["farewell"], "bye", turn)
            return "farewell", " ".join([*voiced, bye])
        key = "wrap_up_no_more" if reading.has("further_help") else "wrap_up"
        options = DEFAULT_LINES[key] if key == "wrap_up_no_more" else lines.wrap_up
        text = self._say(options or DEFAULT_LINES[key], key, turn)
        return "wrap_up", " ".join([*voiced, text])

    def _voiced(self, reactions: list[Reaction], turn: int) -> list[str]:
        said = []
        for reaction in reactions:
            if not reaction.voiced or len(said) >= MAX_VOICED:
                continue
            lines = self.settings[reaction.rule].lines
            if lines:
                said.append(self._say(lines, reaction.rule, turn, detail=reaction.detail))
        return said

    def _progress_lines(self, progress: TurnProgress, mood_before: int, turn: int) -> list[str]:
        for requirement_id in progress.met:
            requirement = next(r for r in self.scenario.requirements if r.id == requirement_id)
            if requirement.done:
                return [self._say(requirement.done, f"done:{requirement_id}", turn)]
        if mood_before - self.state.mood >= 2:
            calmed = self.scenario.lines.calmed or DEFAULT_LINES["calmed"]
            return [self._say(calmed, "calmed", turn)]
        return []

    def _nudge(self, turn: int) -> list[str]:
        """What the customer still wants: the next unmet requirement's nudge."""
        state = self.state
        if len(state.met) == len(self.scenario.requirements):
            lines = self.scenario.lines.not_calm_yet or DEFAULT_LINES["not_calm_yet"]
            return [self._say(lines, "not_calm", turn)]
        for requirement in self.scenario.requirements:
            if requirement.id in state.met or any(a not in state.met for a in requirement.after):
                continue
            if requirement.nudge:
                return [self._say(requirement.nudge, f"nudge:{requirement.id}", turn)]
        return []

    def _helpful(self, reading: Reading) -> bool:
        """Care that still calms (a rule not yet at its limit) counts as doing something."""
        for name in _HELPFUL:
            tuning = self.settings[name]
            used = self.state.rule_counts.get(name, 0)
            if reading.has(name) and tuning.mood < 0:
                if tuning.max_times is None or used < tuning.max_times:
                    return True
        return False

    def _value(self, fact_id: str) -> str:
        return self.scenario.fact(fact_id).value

    def _say(self, lines: LineSet, key: str, turn: int, **extra: str) -> str:
        fields = {**self.scenario.line_fields(), **extra}
        return choose(lines, self.state.mood, self.seed, turn, key, fields)


_HELPFUL = (
    "acknowledged",
    "apologised",
    "ownership",
    "reassured",
    "boundary",
    "checked_understanding",
)
