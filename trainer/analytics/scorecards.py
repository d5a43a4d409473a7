"""Skill scorecards: section averages per agent (and per team later)."""

from __future__ import annotations

import pandas as pd

from trainer.analytics.frames import BASE_COLUMNS


def section_columns(frame: pd.DataFrame) -> list[str]:
    """The section score columns of an evaluations frame, in rubric order where known."""
    return [c for c in frame.columns if c not in BASE_COLUMNS]


def agent_scorecard(frame: pd.DataFrame) -> pd.DataFrame:
    """Per agent: conversations scored, mean overall score and mean of each section (0-100)."""
    scored = frame.dropna(subset=["score"]).copy()
    sections = section_columns(frame)
    if scored.empty:
        return pd.DataFrame(columns=["agent", "conversations", "score", *sections])
    scored["agent"] = scored["agent"].fillna("(unknown agent)")
    numeric = scored[["score", *sections]].apply(pd.to_numeric, errors="coerce")
    numeric["agent"] = scored["agent"]
    grouped = numeric.groupby("agent", sort=True)
    card = grouped.mean().round(1)
    card.insert(0, "conversations", grouped.size())
    return card.reset_index()
