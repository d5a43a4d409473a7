"""An attempt: the trainee and the simulated customer taking turns, kept as a transcript.

Drive it turn by turn (`reply`), stop it when the trainee hangs up (`stop`), then `finish` to score
it. `snapshot`/`restore` carry a live attempt across web requests or processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spacy.language import Language

from trainer.conversation import Conversation, Turn
from trainer.errors import ScenarioError
from trainer.roleplay.customer import CustomerTurn, SimulatedCustomer
from trainer.roleplay.phrasing import Phraser, PhraseRequest
from trainer.roleplay.schema import Scenario
from trainer.roleplay.state import CustomerState

if TYPE_CHECKING:
    from trainer.roleplay.results import AttemptResult

SNAPSHOT_VERSION = 1


class Attempt:
    """One role-play attempt at a scenario."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int = 0,
        trainee: str | None = None,
        phraser: Phraser | None = None,
        nlp: Language | None = None,
        state: CustomerState | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.trainee = trainee
        self.phraser = phraser
        self.customer = SimulatedCustomer(scenario, seed, state, nlp)
        self.turns: list[Turn] = []
        self.mood: list[int] = []
        self.mood_turns: list[int] = []
        self.log: list[dict] = []
        if state is None:
            self._customer_says(self.customer.opening(), "opening")

    @property
    def state(self) -> CustomerState:
        """The customer's current state."""
        return self.customer.state

    @property
    def ended(self) -> bool:
        """True once the attempt is over."""
        return self.state.ended

    @property
    def outcome(self) -> str | None:
        """`resolved`, `customer_left`, `turn_limit`, `unresolved`, or None while it runs."""
        return self.state.outcome

    @property
    def last_customer_line(self) -> str:
        """What the customer said last."""
        return self.state.last_line

    def reply(self, text: str) -> CustomerTurn:
        """Send the trainee's reply; the customer answers (ScenarioError once it has ended)."""
        text = " ".join(text.split())
        answered = self.mood_turns[-1]
        answer = self.customer.respond(text)
        self.turns.append(Turn("agent", text))
        self._customer_says(answer.text, answer.kind)
        self.log.append(
            {
                "reply_turn": len(self.turns) - 2,
                "customer_turn": answered,
                "mood_before": answer.mood_before,
                "mood_after": answer.mood,
                "reactions": [r.as_dict() for r in answer.reactions],
                "signals": answer.signals,
                "revealed": list(answer.progress.revealed),
                "met": list(answer.progress.met),
            }
        )
        return answer

    def _customer_says(self, draft: str, kind: str) -> None:
        text = draft
        if self.phraser is not None and kind != "opening":
            keep = tuple(v for v in self.scenario.line_fields().values() if v and v in draft)
            request = PhraseRequest(
                self.scenario,
                draft,
                kind,
                self.state.mood,
                tuple((t.speaker, t.text) for t in self.turns),
                keep,
            )
            text = self.phraser.phrase(request)
        self.state.last_line = text
        self.turns.append(Turn("customer", text))
        self.mood.append(self.state.mood)
        self.mood_turns.append(len(self.turns) - 1)

    def stop(self) -> None:
        """The trainee ends the attempt; unless already over, it ends unresolved."""
        if not self.ended:
            if self.state.status == "wrapping_up":
                self.state.end("resolved")
            else:
                self.state.end("unresolved")

    def conversation(self, external_id: str | None = None) -> Conversation:
        """The attempt as a Conversation (`channel: roleplay`) the scoring engine reads."""
        return Conversation(
            external_id=external_id or f"roleplay-{self.scenario.id}-{self.seed}",
            turns=list(self.turns),
            channel="roleplay",
            agent=self.trainee,
            customer=self.scenario.persona.name,
            source=self.scenario.source,
            metadata={
                "roleplay": {
                    "scenario": self.scenario.id,
                    "scenario_version": self.scenario.version,
                    "seed": self.seed,
                    "outcome": self.outcome,
                    "mood": list(self.mood),
                    "mood_turns": list(self.mood_turns),
                    "leaves_at": self.scenario.persona.leaves_at,
                }
            },
        )

    def finish(self, external_id: str | None = None) -> AttemptResult:
        """Stop if still running, then score the attempt and build its feedback."""
        from trainer.roleplay.results import evaluate_attempt  # late: results imports scoring

        self.stop()
        return evaluate_attempt(self, external_id)

    def snapshot(self) -> dict:
        """Everything needed to carry on later, as JSON data."""
        return {
            "version": SNAPSHOT_VERSION,
            "scenario": self.scenario.id,
            "scenario_version": self.scenario.version,
            "seed": self.seed,
            "trainee": self.trainee,
            "state": self.state.to_dict(),
            "turns": [[t.speaker, t.text] for t in self.turns],
            "mood": list(self.mood),
            "mood_turns": list(self.mood_turns),
            "log": list(self.log),
        }

    @classmethod
    def restore(
        cls,
        scenario: Scenario,
        data: dict,
        *,
        phraser: Phraser | None = None,
        nlp: Language | None = None,
    ) -> Attempt:
        """Rebuild an attempt from `snapshot()` data (the scenario must be the same one)."""
        if data.get("scenario") != scenario.id or data.get("version") != SNAPSHOT_VERSION:
            raise ScenarioError(
                "the saved attempt does not belong to this scenario or format",
                where=scenario.id,
                fix="start a new attempt",
            )
        attempt = cls(
            scenario,
            seed=int(data["seed"]),
            trainee=data.get("trainee"),
            phraser=phraser,
            nlp=nlp,
            state=CustomerState.from_dict(data["state"]),
        )
        attempt.turns = [Turn(speaker, text) for speaker, text in data["turns"]]
        attempt.mood = list(data["mood"])
        attempt.mood_turns = list(data["mood_turns"])
        attempt.log = list(data["log"])
        return attempt


def run_script(
    scenario: Scenario,
    replies: Iterable[str],
    *,
    seed: int = 0,
    trainee: str | None = None,
    phraser: Phraser | None = None,
    external_id: str | None = None,
) -> AttemptResult:
    """Play the trainee's replies in order until the attempt ends, then score it.

    Replies left over once the customer has ended the attempt are not used.
    """
    attempt = Attempt(scenario, seed=seed, trainee=trainee, phraser=phraser)
    used = 0
    for text in replies:
        if attempt.ended:
            break
        if text.strip():
            attempt.reply(text)
            used += 1
    result = attempt.finish(external_id)
    result.replies_used = used
    return result


def read_script(text: str) -> list[str]:
    """The replies in a script: one per line; blank lines and `#` comments are skipped."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
