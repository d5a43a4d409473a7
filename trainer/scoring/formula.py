"""The score formula the leading QA tools share.

- a criterion scores in [0, 1], or is N/A (or unscored, which a human must settle);
- N/A and unscored criteria leave the maximum: they are left out, never counted as zero;
- a section is the weighted mean of its applicable criteria, N/A when none applies;
- the evaluation is the weighted mean of its applicable sections, as a percentage;
- an auto-fail criterion that scores 0 zeroes its section, or the whole evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.scoring.rubric import Rubric


@dataclass(frozen=True, slots=True)
class CriterionValue:
    """The formula's view of one criterion: its value (None when N/A or unscored)."""

    criterion_id: str
    value: float | None


@dataclass(frozen=True, slots=True)
class FormulaResult:
    """Section scores (0-100 or None) and the evaluation score (0-100 or None)."""

    sections: dict[str, float | None]
    score: float | None
    auto_failed: tuple[str, ...]  # criterion ids whose auto-fail fired

    @property
    def failed_evaluation(self) -> bool:
        """True when an evaluation-level auto-fail zeroed the score."""
        return bool(self.auto_failed) and self.score == 0.0


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for _, weight in pairs)
    if not pairs or total == 0:
        return None
    return sum(value * weight for value, weight in pairs) / total


def compute(rubric: Rubric, values: dict[str, float | None]) -> FormulaResult:
    """Apply the formula to criterion values keyed by criterion id (None = N/A or unscored)."""
    sections: dict[str, float | None] = {}
    auto_failed: list[str] = []
    evaluation_failed = False
    for section in rubric.sections:
        pairs: list[tuple[float, float]] = []
        section_failed = False
        for criterion in section.criteria:
            value = values.get(criterion.id)
            if value is None:
                continue
            pairs.append((value, criterion.weight))
            if criterion.auto_fail and value == 0.0:
                auto_failed.append(criterion.id)
                if criterion.auto_fail == "section":
                    section_failed = True
                else:
                    evaluation_failed = True
        mean = _weighted_mean(pairs)
        if mean is not None and section_failed:
            mean = 0.0
        sections[section.id] = None if mean is None else round(mean * 100, 2)

    section_pairs = [
        (sections[s.id] / 100, s.weight) for s in rubric.sections if sections[s.id] is not None
    ]
    overall = _weighted_mean(section_pairs)
    score = None if overall is None else round(overall * 100, 2)
    if evaluation_failed:
        score = 0.0
    return FormulaResult(sections, score, tuple(auto_failed))
