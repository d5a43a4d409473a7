"""A trainee's role-play progress with pandas: skills over attempts, scenarios, passes.

Input rows are finished attempts as plain dicts (`attempt`, `scenario`, `finished_at`, `outcome`,
`score`, `passed` and `sections`, the section scores 0-100), so the same code serves the database
service, the CLI and tests.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: The skills progress is reported on; each is a rubric section id.
PROGRESS_SKILLS: tuple[str, ...] = (
    "empathy",
    "clarity",
    "resolution",
    "follow_up",
    "conflict_resolution",
)
_BASE = ["attempt", "scenario", "finished_at", "outcome", "score", "passed"]


def attempts_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per finished attempt, in order, with a numeric column per skill (NaN if absent)."""
    records = []
    for row in rows:
        sections = row.get("sections") or {}
        records.append(
            {**{k: row.get(k) for k in _BASE}, **{s: sections.get(s) for s in PROGRESS_SKILLS}}
        )
    frame = pd.DataFrame(records, columns=[*_BASE, *PROGRESS_SKILLS])
    numeric = ["score", *PROGRESS_SKILLS]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")
    frame["passed"] = frame["passed"].fillna(False).astype(bool)
    return frame.reset_index(drop=True)


def skill_progress(frame: pd.DataFrame) -> pd.DataFrame:
    """Per skill: attempts that scored it, first, latest, best and mean score, and the change."""
    rows = []
    for skill in PROGRESS_SKILLS:
        values = frame[skill].dropna()
        if values.empty:
            rows.append({"skill": skill, "attempts": 0})
            continue
        rows.append(
            {
                "skill": skill,
                "attempts": int(values.size),
                "first": values.iloc[0],
                "latest": values.iloc[-1],
                "best": values.max(),
                "mean": values.mean(),
                "change": values.iloc[-1] - values.iloc[0],
            }
        )
    columns = ["skill", "attempts", "first", "latest", "best", "mean", "change"]
    table = pd.DataFrame(rows, columns=columns).set_index("skill").round(1)
    return table.astype({"attempts": int})


def scenario_progress(frame: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: attempts, best and latest score, whether it was ever passed, last outcome."""
    columns = ["scenario", "attempts", "best", "latest", "passed", "last_outcome"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("scenario", sort=True)
    table = pd.DataFrame(
        {
            "attempts": grouped.size(),
            "best": grouped["score"].max(),
            "latest": grouped["score"].last(),
            "passed": grouped["passed"].any(),
            "last_outcome": grouped["outcome"].last(),
        }
    )
    return table.reset_index()[columns].round({"best": 1, "latest": 1})


def _clean(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def progress_report(rows: Iterable[dict]) -> dict:
    """JSON-ready progress: totals, scenarios passed, per-skill summary and series, per scenario."""
    frame = attempts_frame(rows)
    skills = skill_progress(frame)
    scenarios = scenario_progress(frame)
    return {
        "attempts": int(len(frame)),
        "passed_attempts": int(frame["passed"].sum()),
        "scenarios_passed": sorted(scenarios.loc[scenarios["passed"], "scenario"].tolist()),
        "skills": {
            skill: {
                **{k: _clean(v) for k, v in skills.loc[skill].items()},
                "series": [
                    {"attempt": _clean(a), "scenario": s, "value": _clean(v)}
                    for a, s, v in frame[["attempt", "scenario", skill]].itertuples(index=False)
                    if not pd.isna(v)
                ],
            }
            for skill in PROGRESS_SKILLS
        },
        "scenarios": [
            {k: _clean(v) for k, v in row.items()} for row in scenarios.to_dict(orient="records")
        ],
    }
