"""The agent scorecard's rows."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from trainer.web.formatting import ScoreCell, score_cell, section_title

SCORECARD_FIELDS = frozenset({"agent", "conversations", "score"})


@dataclasses.dataclass
class ScorecardRow:
    """One agent on the scorecard."""

    agent: str = ""
    href: str = ""
    conversations: int = 0
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    sections: list[ScoreCell] = dataclasses.field(default_factory=list)


def agent_href(agent: str) -> str:
    """The conversations list filtered to one agent."""
    return "/conversations?" + urlencode({"agent": agent})


def scorecard_rows(rows: list[dict], keys: list[str]) -> list[ScorecardRow]:
    """`scorecard` rows shaped for the table."""
    return [
        ScorecardRow(
            agent=row["agent"],
            href=agent_href(row["agent"]),
            conversations=int(row.get("conversations") or 0),
            score=score_cell(row.get("score"), "score", "Overall"),
            sections=[score_cell(row.get(k), k, section_title(k)) for k in keys],
        )
        for row in rows
    ]
