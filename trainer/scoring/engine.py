"""Score a Conversation against a Rubric: run each criterion's detector, then the formula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.conversation import Conversation
from trainer.scoring.formula import FormulaResult, compute
from trainer.scoring.registry import registry
from trainer.scoring.result import Score, not_applicable, unscored
from trainer.scoring.rubric import Criterion, Rubric, Section

if TYPE_CHECKING:  # spaCy loads in seconds: only a process that scores pays for it
    from spacy.language import Language

    from trainer.scoring.context import ScoringContext


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's automatic result, with where it sits in the rubric and who produced it."""

    section_id: str
    criterion_id: str
    score: Score
    detector: str | None  # "name" (versioned), or None for criteria reviewers score by hand
    weight: float


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """A whole automatic evaluation: per-criterion results and the formula's totals."""

    conversation_id: str
    rubric: str  # id@version
    criteria: tuple[CriterionResult, ...]
    formula: FormulaResult

    @property
    def score(self) -> float | None:
        """The evaluation score, 0-100, or None when nothing applied."""
        return self.formula.score

    @property
    def sections(self) -> dict[str, float | None]:
        """Section scores, 0-100 or None."""
        return self.formula.sections

    @property
    def needs_review(self) -> bool:
        """True when some criterion could not be decided automatically."""
        return any(c.score.status == "unscored" for c in self.criteria)


def _run(ctx: ScoringContext, section: Section, criterion: Criterion) -> CriterionResult:
    ref = criterion.detector
    if criterion.channels and ctx.conversation.channel not in criterion.channels:
        score = not_applicable(f"applies only to {', '.join(criterion.channels)} conversations")
    elif ref is None:
        score = unscored("no detector: a reviewer scores this criterion by hand")
    else:
        score = registry.get(ref.name)(ctx, ref.params)
        if score.na and not criterion.na_allowed:
            score = unscored(f"N/A is not allowed for this criterion ({score.explanation})")
    return CriterionResult(
        section.id, criterion.id, score, ref.name if ref else None, criterion.weight
    )


def score_conversation(
    conversation: Conversation,
    rubric: Rubric,
    nlp: Language | None = None,
    ctx: ScoringContext | None = None,
) -> EvaluationResult:
    """Run every criterion's detector on the conversation and apply the score formula.

    A caller that reads the same conversation afterwards (follow-up promises) passes its own
    `ctx`, so each turn is parsed and matched once."""
    if ctx is None:
        from trainer.scoring.context import ScoringContext

        ctx = ScoringContext(conversation, nlp)
    results = tuple(_run(ctx, section, criterion) for section, criterion in rubric.criteria())
    values = {r.criterion_id: r.score.value for r in results}
    return EvaluationResult(conversation.external_id, rubric.ref, results, compute(rubric, values))
