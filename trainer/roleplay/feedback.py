"""Feedback tied to turns: what went wrong where, and an example of a better reply.

Three sources, in conversation order: how the attempt ended, each rubric criterion the attempt
missed (with the turn its evidence points to), and each moment the customer was inflamed that no
missed criterion already covers ("turn 5: you said 'calm down'; Dana's mood went from 7 to 9").
Turn numbers are 1-based positions in the conversation, as in `trainer show`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trainer.roleplay.examples import BY_REACTION, example_for
from trainer.roleplay.lines import SafeFields
from trainer.roleplay.schema import Scenario
from trainer.roleplay.scoring import better_reply_examples
from trainer.scoring.context import ScoringContext
from trainer.scoring.detectors.empathy import emotion_moments
from trainer.scoring.engine import CriterionResult, EvaluationResult
from trainer.scoring.helpers import quote
from trainer.scoring.rubric import Rubric

#: A criterion scoring below this is "missed" and gets feedback.
MISSED_BELOW = 0.75
#: Feelings said as one word read naturally as "she said she was furious".
FEELING_WORDS = {
    "frustrated",
    "furious",
    "angry",
    "annoyed",
    "upset",
    "disappointed",
    "worried",
    "anxious",
    "stressed",
    "scared",
    "livid",
    "fuming",
    "desperate",
    "devastated",
    "heartbroken",
    "unhappy",
}
#: Which inflaming reaction each detector's feedback already covers.
COVERED_BY = {
    "empathy.acknowledgement.v1": "ignored_feelings",
    "empathy.no_dismissive_language.v1": "dismissive",
    "clarity.jargon.v1": "jargon",
    "follow_up.commitment.v1": "vague_promise",
    "resolution.no_deflection.v1": "deflected",
}


@dataclass(frozen=True)
class FeedbackItem:
    """One piece of feedback: where (turn), what, which criterion, and a better reply."""

    turn: int | None
    kind: str  # "outcome" | "criterion" | "reaction"
    message: str
    criterion: str | None = None
    title: str | None = None
    better_reply: str | None = None

    def as_dict(self) -> dict:
        """The JSON shape printed by `trainer roleplay --json` and stored with the attempt."""
        return {
            "turn": self.turn,
            "kind": self.kind,
            "criterion": self.criterion,
            "title": self.title,
            "message": self.message,
            "better_reply": self.better_reply,
        }


@dataclass(frozen=True)
class FeedbackInput:
    """What feedback reads: the scenario, the attempt's log and outcome, and its evaluation."""

    scenario: Scenario
    ctx: ScoringContext
    evaluation: EvaluationResult
    rubric: Rubric
    log: list[dict]
    mood: list[int]
    outcome: str | None
    trainee: str | None

    def fill(self, template: str) -> str:
        """A better-reply template with the customer's and trainee's names and the facts."""
        agent = (self.trainee or "Alex").split()[0]
        text = template.format_map(SafeFields({**self.scenario.line_fields(), "agent": agent}))
        return " ".join(text.split())


def _pronoun_was(scenario: Scenario) -> str:
    return {"she": "she was", "he": "he was"}.get(scenario.persona.pronoun, "they were")


def _mood_note(data: FeedbackInput, reply_turn: int | None, rule: str | None) -> str:
    """`(Dana's mood went from 7 to 9)` when the reaction `rule` fired on that reply."""
    entry = next((e for e in data.log if e["reply_turn"] == reply_turn), None)
    if entry is None or entry["mood_after"] <= entry["mood_before"]:
        return ""
    if not any(r["rule"] == rule and r["mood"] > 0 for r in entry["reactions"]):
        return ""
    who = data.scenario.persona.first_name
    return f" ({who}'s mood went from {entry['mood_before']} to {entry['mood_after']})"


Explainer = Callable[[FeedbackInput, CriterionResult], tuple[int | None, str]]
_EXPLAINERS: dict[str, Explainer] = {}


def explainer(detector: str) -> Callable[[Explainer], Explainer]:
    """Register how to explain a missed criterion scored by `detector`."""

    def wrap(fn: Explainer) -> Explainer:
        _EXPLAINERS[detector] = fn
        return fn

    return wrap


@explainer("empathy.acknowledgement.v1")
def _acknowledgement(data: FeedbackInput, result: CriterionResult) -> tuple[int | None, str]:
    ctx = data.ctx
    agent_turns = ctx.indices("agent")
    for index, hits in emotion_moments(ctx):
        reply = next((a for a in agent_turns if a > index), None)
        if reply is not None and ctx.find(reply, "acknowledgement"):
            continue
        word = hits[0].text
        said = (
            f"{_pronoun_was(data.scenario)} {word.lower()}"
            if word.lower().split()[-1] in FEELING_WORDS
            else quote(word)
        )
        answer = "your reply did not acknowledge it" if reply is not None else "no reply followed"
        note = _mood_note(data, reply, "ignored_feelings")
        return index + 1, f"turn {index + 1}: the customer said {said}; {answer}{note}"
    return None, _second_person(result.score.explanation)


@explainer("roleplay.said.v1")
def _said(data: FeedbackInput, result: CriterionResult) -> tuple[int | None, str]:
    requirement = next((r for r in data.scenario.requirements if r.id == result.criterion_id), None)
    what = requirement.description if requirement else result.score.explanation
    if result.score.value and result.score.value > 0:
        return None, f"you only partly {what}"
    return None, f"you never {what}"


def _default(data: FeedbackInput, result: CriterionResult) -> tuple[int | None, str]:
    score = result.score
    turn = score.evidence[0].turn + 1 if score.evidence else None
    text = _second_person(score.explanation)
    if turn is not None and not text.startswith("turn "):
        text = f"turn {turn}: {text}"
    reply_turn = turn - 1 if turn is not None else None
    return turn, text + _mood_note(data, reply_turn, COVERED_BY.get(result.detector or ""))


_SECOND_PERSON = (
    ("the agent's", "your"),
    ("The agent's", "Your"),
    ("the agent ", "you "),
    ("The agent ", "You "),
    ("the reply", "your reply"),
    ("agent sentences", "your sentences"),
    ("agent turns", "your replies"),
    ("from the agent", "from you"),
)


def _second_person(text: str) -> str:
    for old, new in _SECOND_PERSON:
        text = text.replace(old, new)
    return text


def _outcome_item(data: FeedbackInput) -> FeedbackItem | None:
    persona = data.scenario.persona
    turns = len(data.ctx.turns)
    if data.outcome == "customer_left":
        their = {"she": "her", "he": "his"}.get(persona.pronoun, "their")
        return FeedbackItem(
            turns,
            "outcome",
            f"turn {turns}: {persona.first_name} left the conversation when {their} mood "
            f"reached {persona.leaves_at}/10",
        )
    if data.outcome in {"turn_limit", "unresolved"}:
        met = {e for entry in data.log for e in entry["met"]}
        missing = [r.description for r in data.scenario.requirements if r.id not in met]
        why = "the attempt hit the turn limit" if data.outcome == "turn_limit" else "you ended"
        still = f"; still to do: {'; '.join(missing)}" if missing else ""
        return FeedbackItem(None, "outcome", f"{why} before the issue was resolved{still}")
    return None


def build_feedback(data: FeedbackInput) -> list[FeedbackItem]:
    """Feedback for a finished attempt, ordered by turn (items without a turn last)."""
    titles = {c.id: c.title for _, c in data.rubric.criteria()}
    examples = better_reply_examples(data.scenario)
    items: list[FeedbackItem] = []
    outcome = _outcome_item(data)
    if outcome is not None:
        items.append(outcome)
    covered: set[str] = set()
    for result in data.evaluation.criteria:
        score = result.score
        if score.status != "scored" or score.value is None or score.value >= MISSED_BELOW:
            continue
        explain = _EXPLAINERS.get(result.detector or "", _default)
        turn, message = explain(data, result)
        covered.add(COVERED_BY.get(result.detector or "", ""))
        template = example_for(result.criterion_id, result.detector, result.section_id, examples)
        items.append(
            FeedbackItem(
                turn,
                "criterion",
                message,
                result.criterion_id,
                titles.get(result.criterion_id, result.criterion_id),
                data.fill(template),
            )
        )
    items += _reaction_items(data, covered)
    return sorted(items, key=lambda i: (i.turn is None, i.turn or 0))


_REACTION_TEXT = {
    "dismissive": "you said {quote}",
    "blame": "you put the blame on the customer ({quote})",
    "ignored_feelings": "the customer's feelings went unacknowledged",
    "cannot_help": "you said you couldn't help ({quote})",
    "deflected": "you handed the problem off ({quote})",
    "vague_promise": "you promised {quote} without saying when",
    "vague_answer": "you sounded unsure ({quote})",
    "jargon": "{quote} confused the customer",
    "hard_to_follow": "the reply was long and hard to follow",
    "stalled": "the reply did not move things forward and the customer ran out of patience",
}


def _reaction_items(data: FeedbackInput, covered: set[str]) -> list[FeedbackItem]:
    triggers = {t.id: t for t in data.scenario.triggers}
    who = data.scenario.persona.first_name
    items = []
    for entry in data.log:
        for reaction in entry["reactions"]:
            rule = reaction["rule"]
            if reaction["mood"] <= 0 or rule in covered:
                continue
            if rule in triggers:
                text, example = triggers[rule].feedback, triggers[rule].better_reply
            elif rule in _REACTION_TEXT:
                text, example = _REACTION_TEXT[rule], BY_REACTION[rule]
            else:
                continue
            turn = entry["reply_turn"] + 1
            text = text.format(quote=quote(reaction["detail"] or "that", 50))
            text += f"; {who}'s mood went from {entry['mood_before']} to {entry['mood_after']}"
            items.append(
                FeedbackItem(
                    turn, "reaction", f"turn {turn}: {text}", better_reply=data.fill(example)
                )
            )
    return items
