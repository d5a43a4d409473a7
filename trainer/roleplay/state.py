"""The simulated customer's state: mood, patience, what they told and what was done, the outcome.

Plain data that round-trips through JSON, so a web page can store an attempt between requests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["open", "wrapping_up", "ended"]
#: How an attempt ended. `unresolved`: the trainee stopped before the issue was resolved.
OUTCOMES: tuple[str, ...] = ("resolved", "customer_left", "turn_limit", "unresolved")


@dataclass
class CustomerState:
    """Where the customer stands after the last reply."""

    mood: int
    patience: int
    last_line: str = ""
    status: Status = "open"
    outcome: str | None = None
    replies: int = 0
    wrap_replies: int = 0
    revealed: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    rule_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        """True once the customer has left, been satisfied and said goodbye, or run out of time."""
        return self.status == "ended"

    def end(self, outcome: str) -> None:
        """Close the attempt with one of OUTCOMES."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.status, self.outcome = "ended", outcome

    def to_dict(self) -> dict:
        """JSON-ready copy."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CustomerState:
        """Rebuild a state saved with `to_dict`."""
        return cls(**data)
