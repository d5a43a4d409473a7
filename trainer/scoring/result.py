"""What a detector returns: a value in [0, 1], N/A, or unscored with a reason, plus evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from trainer.conversation import Evidence

Status = Literal["scored", "na", "unscored"]


@dataclass(frozen=True, slots=True)
class Score:
    """A detector's judgement of one criterion on one conversation (inspect_ai-style)."""

    status: Status
    value: float | None
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status == "scored":
            if self.value is None or not 0.0 <= self.value <= 1.0:
                raise ValueError(f"a scored result needs a value in [0, 1], got {self.value!r}")
        elif self.value is not None:
            raise ValueError(f"a {self.status} result carries no value")
        if not self.explanation:
            raise ValueError("every result needs a one-line explanation")

    @property
    def na(self) -> bool:
        """True when the criterion does not apply to this conversation."""
        return self.status == "na"


def scored(value: float, explanation: str, evidence=(), **metadata) -> Score:
    """A decided value in [0, 1]."""
    return Score("scored", round(float(value), 4), explanation, tuple(evidence), metadata)


def not_applicable(explanation: str, evidence=(), **metadata) -> Score:
    """The criterion does not apply here (it leaves the maximum, it is not a zero)."""
    return Score("na", None, explanation, tuple(evidence), metadata)


def unscored(reason: str, **metadata) -> Score:
    """The detector cannot decide; a human should look. Never a made-up value."""
    return Score("unscored", None, reason, (), metadata)
