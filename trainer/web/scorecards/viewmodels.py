"""The scorecard page's rows, shaped from `trainer.services.scorecards` reports: team and agent
rows (score, 95% interval, sections with n, "uncertain" when the interval is wide), an agent's
criteria, the conversations behind a criterion, and the chart data."""

from __future__ import annotations

import dataclasses

from trainer.web.formatting import MISSING, Column, ScoreCell, format_date, score_cell


@dataclasses.dataclass
class PartCell:
    """A section's or criterion's figure with the number of conversations behind it."""

    key: str = ""
    label: str = ""
    text: str = MISSING
    tone: str = "gray"
    n: int = 0


@dataclasses.dataclass
class ScorecardRow:
    """One agent or team on the scorecard."""

    name: str = ""
    kind: str = "agent"
    teams: str = ""
    conversations: int = 0
    reviewed: int = 0
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    interval: str = MISSING
    uncertain: bool = False
    sections: list[PartCell] = dataclasses.field(default_factory=list)
    extra: list[PartCell] = dataclasses.field(default_factory=list)
    sort_score: float = -1.0


@dataclasses.dataclass
class CriterionRow:
    """One criterion of an agent's scorecard, under its section."""

    id: str = ""
    section: str = ""
    title: str = ""
    cell: PartCell = dataclasses.field(default_factory=PartCell)


@dataclasses.dataclass
class EvidenceQuote:
    """Words of a turn that the score points at."""

    turn: int = 0
    quote: str = ""


@dataclasses.dataclass
class DrillRow:
    """A conversation behind a criterion's figure, with why it scored what it did."""

    conversation: str = ""
    href: str = ""
    date: str = ""
    value: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    kind: str = ""
    explanation: str = ""
    evidence: list[EvidenceQuote] = dataclasses.field(default_factory=list)


def interval_text(row: dict) -> str:
    """ "72–88" for a 95% interval, a dash without one."""
    if row.get("low") is None or row.get("high") is None:
        return MISSING
    return f"{row['low']:.0f}–{row['high']:.0f}"


def part_cell(part: dict) -> PartCell:
    """A section or criterion dict (score, n) as a cell."""
    cell = score_cell(part.get("score"), part.get("id", ""), part.get("title", ""))
    return PartCell(cell.key, cell.label, cell.text, cell.tone, int(part.get("n") or 0))


def columns(report: dict) -> list[Column]:
    """The section columns, titles and order from the rubric outline in the report."""
    return [Column(key=s["id"], label=s["title"]) for s in report.get("sections") or []]


def group_rows(report: dict, by: str) -> list[ScorecardRow]:
    """The report's agent or team rows shaped for the table."""
    titles = {c["key"]: c["title"] for c in report.get("extra_columns") or []}
    rows = []
    for row in report["agents" if by == "agent" else "teams"]:
        rows.append(
            ScorecardRow(
                name=row[by],
                kind=by,
                teams=", ".join(row.get("teams") or []),
                conversations=int(row["conversations"]),
                reviewed=int(row["reviewed"]),
                score=score_cell(row["score"], "score", "Overall"),
                interval=interval_text(row),
                uncertain=bool(row["uncertain"]),
                sections=[part_cell(s) for s in row["sections"]],
                extra=[
                    PartCell(
                        key,
                        titles.get(key, key),
                        MISSING if v["value"] is None else f"{v['value']:.0f}",
                        "gray",
                        v["n"],
                    )
                    for key, v in row.get("extra", {}).items()
                ],
                sort_score=-1.0 if row["score"] is None else float(row["score"]),
            )
        )
    return rows


def sort_and_search(
    rows: list[ScorecardRow], search: str, key: str, descending: bool
) -> list[ScorecardRow]:
    """Rows whose name (or teams) contain `search` (any case), sorted by `key`: name,
    conversations, score or a section id (missing figures last)."""
    needle = search.strip().lower()
    shown = [r for r in rows if not needle or needle in r.name.lower() or needle in r.teams.lower()]

    def value(row: ScorecardRow):
        if key == "name":
            return row.name.lower()
        if key == "conversations":
            return row.conversations
        if key == "score":
            return row.sort_score
        cell = next((c for c in row.sections if c.key == key), None)
        return -1.0 if cell is None or cell.text == MISSING else float(cell.text)

    return sorted(shown, key=value, reverse=descending)


def criterion_rows(row: dict | None) -> list[CriterionRow]:
    """An agent's criteria with their section titles, in rubric order."""
    if row is None:
        return []
    titles = {s["id"]: s["title"] for s in row["sections"]}
    return [
        CriterionRow(
            id=c["id"],
            section=titles.get(c["section"], c["section"]),
            title=c["title"],
            cell=part_cell(c),
        )
        for c in row["criteria"]
    ]


def drill_rows(drill: dict) -> list[DrillRow]:
    """The conversations behind a criterion, as the drill-down list shows them."""
    return [
        DrillRow(
            conversation=c["conversation"],
            href=c["href"],
            date=format_date(c["at"]),
            value=score_cell(c["value"]),
            kind="reviewed" if c["kind"] == "human" else "automatic",
            explanation=c["explanation"],
            evidence=[
                EvidenceQuote(e["turn"] + 1, e["quote"]) for e in c["evidence"] if e["quote"]
            ],
        )
        for c in drill["conversations"]
    ]


def trend_chart(report: dict, level: str = "all", group: str | None = None) -> list[dict]:
    """Chart points {period, score, n} of one line of the report's trends."""
    return [
        {"period": t["period"], "score": t["score"], "n": t["n"]}
        for t in report["trends"]
        if t["level"] == level and (group is None or t["group"] == group)
    ]


def distribution_chart(report: dict) -> list[dict]:
    """Bars {band, count} of the score distribution."""
    return [
        {"band": f"{b['low']}–{b['high']}", "count": b["count"]} for b in report["distribution"]
    ]
