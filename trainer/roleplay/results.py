"""Scoring a finished attempt: the rubric score, the outcome, the mood curve, turn-tied feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trainer.conversation import Conversation
from trainer.roleplay.feedback import FeedbackInput, FeedbackItem, build_feedback
from trainer.roleplay.scoring import build_rubric
from trainer.scoring.context import ScoringContext
from trainer.scoring.engine import EvaluationResult, score_conversation
from trainer.scoring.rubric import Rubric

if TYPE_CHECKING:
    from trainer.roleplay.attempt import Attempt


@dataclass
class AttemptResult:
    """A scored attempt."""

    scenario: str
    outcome: str
    score: float | None
    pass_mark: float
    passed: bool
    mood: list[int]
    feedback: list[FeedbackItem]
    conversation: Conversation
    evaluation: EvaluationResult
    rubric: Rubric
    log: list[dict] = field(default_factory=list)
    replies_used: int | None = None

    @property
    def turns(self) -> int:
        """Turns in the conversation (customer and trainee)."""
        return len(self.conversation.turns)

    @property
    def replies(self) -> int:
        """The trainee's replies."""
        return sum(1 for t in self.conversation.turns if t.speaker == "agent")

    @property
    def sections(self) -> dict[str, float | None]:
        """Section (skill) scores, 0-100 or None."""
        return dict(self.evaluation.sections)

    def as_json(self) -> dict:
        """The shape `trainer roleplay --script FILE --json` prints."""
        return {
            "scenario": self.scenario,
            "outcome": self.outcome,
            "score": self.score,
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "turns": self.turns,
            "replies": self.replies,
            "mood": list(self.mood),
            "sections": {k: _round(v) for k, v in self.sections.items()},
            "feedback": [item.as_dict() for item in self.feedback],
            "transcript": [
                {"turn": i + 1, "speaker": t.speaker, "text": t.text}
                for i, t in enumerate(self.conversation.turns)
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def evaluate_attempt(attempt: Attempt, external_id: str | None = None) -> AttemptResult:
    """Score an ended attempt with its scenario's rubric and build the feedback.

    Passing needs both: the customer's issue resolved, and the score at or above the pass mark.
    """
    scenario = attempt.scenario
    rubric = build_rubric(scenario)
    conversation = attempt.conversation(external_id)
    ctx_nlp = attempt.customer.nlp
    evaluation = score_conversation(conversation, rubric, ctx_nlp)
    score = _round(evaluation.score)
    outcome = attempt.outcome or "unresolved"
    passed = outcome == "resolved" and score is not None and score >= rubric.pass_mark
    feedback = build_feedback(
        FeedbackInput(
            scenario,
            ScoringContext(conversation, ctx_nlp),
            evaluation,
            rubric,
            attempt.log,
            attempt.mood,
            outcome,
            attempt.trainee,
        )
    )
    return AttemptResult(
        scenario.id,
        outcome,
        score,
        rubric.pass_mark,
        passed,
        list(attempt.mood),
        feedback,
        conversation,
        evaluation,
        rubric,
        list(attempt.log),
    )
