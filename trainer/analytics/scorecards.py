"""Skill scorecards in pandas: per agent or team the mean final score with its 95% interval,
per section and per criterion with the number of conversations behind each figure, trends per
period and the score distribution.

Inputs are plain frames the service builds (nothing here touches the database):

- `conversations`: one row per scored conversation — `conversation` (external id), `agent`,
  `teams` (tuple of team names), `at` (timestamp), `score` (0-100, NaN when every section was
  N/A), `kind` ("auto" or "human": which evaluation is final);
- `parts`: sums per key and part (a section or criterion id): `total` of 0-100 values and `n`
  (see `part_means`).
"""

from __future__ import annotations

import math

import pandas as pd

from trainer.analytics.frames import BASE_COLUMNS
from trainer.analytics.intervals import interval_of

NO_TEAM = "(no team)"
UNKNOWN_AGENT = "(unknown agent)"
#: An interval wider than this many points (0-100 scale) marks a figure as uncertain.
UNCERTAIN_WIDTH = 20.0
PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}


def section_columns(frame: pd.DataFrame) -> list[str]:
    """The section score columns of an evaluations frame, in rubric order where known."""
    return [c for c in frame.columns if c not in BASE_COLUMNS]


def agent_scorecard(frame: pd.DataFrame) -> pd.DataFrame:
    """Per agent of an evaluations frame (all time): conversations scored, mean overall score
    and mean of each section (0-100)."""
    scored = frame.dropna(subset=["score"]).copy()
    sections = section_columns(frame)
    if scored.empty:
        return pd.DataFrame(columns=["agent", "conversations", "score", *sections])
    scored["agent"] = scored["agent"].fillna(UNKNOWN_AGENT)
    numeric = scored[["score", *sections]].apply(pd.to_numeric, errors="coerce")
    numeric["agent"] = scored["agent"]
    grouped = numeric.groupby("agent", sort=True)
    card = grouped.mean().round(1)
    card.insert(0, "conversations", grouped.size())
    return card.reset_index()


def grouped_by(conversations: pd.DataFrame, by: str) -> pd.DataFrame:
    """The conversations with a `group` column: the agent, or each of the agent's teams (an
    agent in two teams counts in both; one in none under NO_TEAM)."""
    frame = conversations.copy()
    if by == "agent":
        frame["group"] = frame["agent"].fillna(UNKNOWN_AGENT)
        return frame
    if by != "team":
        raise ValueError(f"cannot group by {by!r}")
    frame["group"] = frame["teams"].map(lambda teams: list(teams) if teams else [NO_TEAM])
    return frame.explode("group")


def overall(grouped: pd.DataFrame) -> pd.DataFrame:
    """Per group: conversations behind the score, how many of them a human reviewed, the mean
    score with its 95% interval, and whether the interval is too wide to trust."""
    columns = ["group", "conversations", "reviewed", "score", "low", "high", "uncertain"]
    scored = grouped.dropna(subset=["score"])
    if scored.empty:
        return pd.DataFrame(columns=columns)
    scored = scored.assign(human=scored["kind"].eq("human"))
    stats = scored.groupby("group", sort=True).agg(
        conversations=("score", "size"), reviewed=("human", "sum"), score=("score", "mean")
    )
    intervals = [
        interval_of(m, int(n)) for m, n in zip(stats["score"], stats["conversations"], strict=False)
    ]
    stats["low"] = [i.low for i in intervals]
    stats["high"] = [i.high for i in intervals]
    stats["uncertain"] = [bool(i.width is None or i.width > UNCERTAIN_WIDTH) for i in intervals]
    return stats.reset_index()[columns]


def part_means(
    grouped: pd.DataFrame, parts: pd.DataFrame, on: str = "conversation"
) -> pd.DataFrame:
    """Per group and part (section or criterion): the mean value and how many conversations
    scored it. `parts` holds sums: columns `on` (a conversation, or an agent when the database
    summed their conversations already), `part`, `total` (sum of 0-100 values) and `n`; N/A
    and unscored values are not in it, so they never count as zero."""
    columns = ["group", "part", "score", "n"]
    if grouped.empty or parts.empty:
        return pd.DataFrame(columns=columns)
    keys = grouped[[on, "group"]].drop_duplicates()
    merged = parts.merge(keys, on=on, how="inner")
    if merged.empty:
        return pd.DataFrame(columns=columns)
    stats = merged.groupby(["group", "part"], sort=False)[["total", "n"]].sum().reset_index()
    stats = stats[stats["n"] > 0]
    stats["score"] = stats["total"] / stats["n"]
    return stats[columns]


def period_start(at: pd.Series, period: str) -> pd.Series:
    """The first day of each timestamp's period (weeks start on Monday), as dates."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    stamps = pd.to_datetime(at, utc=True).dt.tz_localize(None)
    return stamps.dt.to_period(PERIODS[period]).dt.start_time.dt.date


def trend(grouped: pd.DataFrame, period: str = "week") -> pd.DataFrame:
    """Per group and period: conversations scored and their mean score, oldest period first
    (a `period` column already on `grouped` is used as it is)."""
    columns = ["group", "period", "n", "score"]
    scored = grouped.dropna(subset=["score", "at"])
    if scored.empty:
        return pd.DataFrame(columns=columns)
    if "period" not in scored.columns:
        scored = scored.assign(period=period_start(scored["at"], period))
    stats = scored.groupby(["group", "period"], sort=True)["score"].agg(["size", "mean"])
    stats = stats.rename(columns={"size": "n", "mean": "score"}).reset_index()
    return stats[columns]


def distribution(scores: pd.Series, width: int = 10) -> pd.DataFrame:
    """How many scores fall in each `width`-point band of 0-100 (100 goes in the top band)."""
    bands = list(range(0, 100, width))
    values = pd.to_numeric(scores, errors="coerce").dropna()
    index = (values // width).clip(upper=len(bands) - 1).astype(int)
    counts = index.value_counts()
    return pd.DataFrame(
        {
            "low": bands,
            "high": [min(b + width, 100) for b in bands],
            "count": [int(counts.get(i, 0)) for i in range(len(bands))],
        }
    )


def strengths_and_misses(
    criteria: list[dict], k: int = 3, min_n: int = 1
) -> tuple[list[dict], list[dict]]:
    """The `k` best- and worst-scored criteria (dicts with `score` and `n`) that at least
    `min_n` conversations scored; a criterion is never both."""
    usable = [c for c in criteria if c.get("score") is not None and (c.get("n") or 0) >= min_n]
    usable = [c for c in usable if not math.isnan(c["score"])]
    best = sorted(usable, key=lambda c: (-c["score"], -c["n"]))[:k]
    chosen = {id(c) for c in best}
    worst = [c for c in sorted(usable, key=lambda c: (c["score"], -c["n"])) if id(c) not in chosen]
    return best, worst[:k]
