"""What the calibration pages show, shaped from the service's dicts: session rows, the blind
scoring form per conversation, and the results tables. Pure functions and plain dataclasses
(no database, no Reflex), tested without a browser."""

from __future__ import annotations

import dataclasses

from trainer.web.components.transcript_model import TurnView, turn_views
from trainer.web.formatting import MISSING

NA = "na"
STATUS_LABELS = {None: "Not started", "draft": "Draft saved", "submitted": "Submitted"}


def session_href(session_id: int | str) -> str:
    """The page of one session."""
    return f"/calibration/{session_id}"


def level_key(value: float) -> str:
    """A scale level as the form and the test ids write it: 0 -> "0", 0.5 -> "0.5"."""
    return f"{float(value):g}"


def number_text(value: float | None, digits: int = 2) -> str:
    """A statistic for people ("0.75"), a dash when there is none."""
    return MISSING if value is None else f"{value:.{digits}f}"


@dataclasses.dataclass
class SessionRow:
    """A session in the list."""

    id: int = 0
    title: str = ""
    status: str = ""
    lead: str = ""
    baseline: str = ""
    participants: str = ""
    conversations: str = ""
    role: str = ""
    href: str = ""


def session_rows(rows: list[dict]) -> list[SessionRow]:
    """The sessions the service lists, as table rows."""
    return [
        SessionRow(
            id=int(r["id"]),
            title=r["title"],
            status=r["status"].capitalize(),
            lead=r["lead"] or MISSING,
            baseline=r["baseline"] or MISSING,
            participants=", ".join(r["participants"]) or MISSING,
            conversations=", ".join(r["conversations"]),
            role="Runs it" if r["runs"] else "Takes part",
            href=session_href(r["id"]),
        )
        for r in rows
    ]


@dataclasses.dataclass
class Level:
    """A scale button: the value it sets, its label, whether it is the chosen one, and what the
    click needs (conversation and criterion) and the test id."""

    conversation: str = ""
    criterion: str = ""
    value: str = ""
    label: str = ""
    chosen: bool = False
    testid: str = ""


@dataclasses.dataclass
class CriterionForm:
    """One criterion of the blind form: title, guidance, the scale buttons (N/A among them
    where allowed) and the comment."""

    conversation: str = ""
    id: str = ""
    title: str = ""
    guidance: str = ""
    levels: list[Level] = dataclasses.field(default_factory=list)
    comment: str = ""
    chosen: str = ""


@dataclasses.dataclass
class Panel:
    """One conversation of the session: the transcript, the form, where the actor stands."""

    conversation: str = ""
    agent: str = ""
    channel: str = ""
    status: str = ""
    submitted: bool = False
    editable: bool = False
    revealed: bool = False
    scored: int = 0
    total: int = 0
    turns: list[TurnView] = dataclasses.field(default_factory=list)
    criteria: list[CriterionForm] = dataclasses.field(default_factory=list)


def stored_choices(item: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The actor's saved scores of a conversation as ({criterion: level key or "na"},
    {criterion: comment})."""
    mine = (item.get("mine") or {}).get("values") or {}
    choices = {
        cid: NA if v.get("na") else level_key(v["value"])
        for cid, v in mine.items()
        if v.get("na") or v.get("value") is not None
    }
    comments = {cid: v.get("comment") or "" for cid, v in mine.items() if v.get("comment")}
    return choices, comments


def panel(
    item: dict,
    choices: dict[str, str],
    comments: dict[str, str],
    *,
    takes_part: bool,
    is_open: bool,
) -> Panel:
    """A conversation's panel from `calibration_view`'s item and the form's current choices."""
    status = (item.get("mine") or {}).get("status")
    submitted = status == "submitted"
    criteria = []
    for c in item["criteria"]:
        cid = c["id"]
        chosen = choices.get(cid, "")
        levels = [
            Level(
                conversation=item["conversation"],
                criterion=cid,
                value=level_key(level["value"]),
                label=level["label"],
                chosen=chosen == level_key(level["value"]),
                testid=f"calib-score-{cid}-{level_key(level['value'])}",
            )
            for level in c["levels"]
        ]
        if c["na_allowed"]:
            levels.append(
                Level(item["conversation"], cid, NA, "N/A", chosen == NA, f"calib-score-{cid}-{NA}")
            )
        criteria.append(
            CriterionForm(
                conversation=item["conversation"],
                id=cid,
                title=c["title"],
                guidance=c["guidance"],
                levels=levels,
                comment=comments.get(cid, ""),
                chosen=chosen,
            )
        )
    return Panel(
        conversation=item["conversation"],
        agent=item.get("agent") or MISSING,
        channel=item.get("channel") or MISSING,
        status=STATUS_LABELS.get(status, status or ""),
        submitted=submitted,
        editable=takes_part and is_open and not submitted,
        revealed=bool(item.get("revealed")),
        scored=sum(1 for c in criteria if c.chosen),
        total=len(criteria),
        turns=turn_views({"turns": item["turns"]}),
        criteria=criteria,
    )


def judgements(
    choices: dict[str, str], comments: dict[str, str]
) -> dict[str, dict[str, str | float]]:
    """The form's choices as the service takes them ({criterion: {"value", "comment"}});
    criteria with a comment but no value are left out (they stay unscored)."""
    result: dict[str, dict[str, str | float]] = {}
    for cid, chosen in choices.items():
        if not chosen:
            continue
        value: str | float = NA if chosen == NA else float(chosen)
        result[cid] = {"value": value, "comment": comments.get(cid, "")}
    return result


@dataclasses.dataclass
class Cell:
    """A reviewer's value on one criterion and their deviation from the baseline."""

    reviewer: str = ""
    text: str = MISSING
    deviation: str = ""
    tone: str = "gray"


@dataclasses.dataclass
class ResultRow:
    """One criterion of one conversation in the results."""

    criterion: str = ""
    title: str = ""
    cells: list[Cell] = dataclasses.field(default_factory=list)
    baseline: str = MISSING
    automatic: str = MISSING
    spread: str = MISSING
    sd: str = MISSING


@dataclasses.dataclass
class ResultTable:
    """The results of one conversation."""

    conversation: str = ""
    rows: list[ResultRow] = dataclasses.field(default_factory=list)


def _value_text(values: dict, name: str) -> str:
    if name not in values:
        return MISSING
    value = values[name]
    return "N/A" if value is None else level_key(value)


def _deviation_text(value: float | None) -> str:
    if value is None:
        return ""
    return "±0" if value == 0 else f"{value:+g}"


def _deviation_tone(value: float | None) -> str:
    if value is None:
        return "gray"
    return "green" if abs(value) < 0.25 else "amber" if abs(value) < 0.75 else "red"


def result_tables(results: dict) -> list[ResultTable]:
    """Per revealed conversation, per criterion: each reviewer's value with their deviation
    from the baseline, the baseline, the automatic value, the spread and its SD."""
    reviewers = results["reviewers"]
    tables: dict[str, ResultTable] = {}
    for row in results["items"]:
        table = tables.setdefault(
            row["conversation"], ResultTable(conversation=row["conversation"])
        )
        values, deviation, spread = row["values"], row["deviation"], row["spread"]
        table.rows.append(
            ResultRow(
                criterion=row["criterion"],
                title=row.get("title") or row["criterion"],
                cells=[
                    Cell(
                        reviewer=name,
                        text=_value_text(values, name),
                        deviation=_deviation_text(deviation.get(name)),
                        tone=_deviation_tone(deviation.get(name)),
                    )
                    for name in reviewers
                ],
                baseline=(
                    ("N/A" if row["baseline"] is None else level_key(row["baseline"]))
                    if row["has_baseline"]
                    else MISSING
                ),
                automatic=(
                    ("N/A" if row["automatic"] is None else level_key(row["automatic"]))
                    if row["has_automatic"]
                    else MISSING
                ),
                spread=f"{spread['min']:g}–{spread['max']:g}" if spread else MISSING,
                sd=number_text(spread["sd"]) if spread else MISSING,
            )
        )
    return list(tables.values())


@dataclasses.dataclass
class AlphaRow:
    """Krippendorff's alpha of one criterion (units: conversations), without and with the
    automatic scorer as one more rater."""

    criterion: str = ""
    title: str = ""
    weight: str = ""
    alpha: str = MISSING
    with_automatic: str = MISSING
    units: int = 0


def alpha_rows(results: dict) -> list[AlphaRow]:
    """One row per criterion of the results."""
    return [
        AlphaRow(
            criterion=c["criterion"],
            title=c.get("title") or c["criterion"],
            weight=f"{c['weight']:g}",
            alpha=number_text(c["alpha"], 3),
            with_automatic=number_text(c["alpha_with_automatic"], 3),
            units=int(c["units"]),
        )
        for c in results["criteria"]
    ]


@dataclasses.dataclass
class Alignment:
    """A reviewer's alignment with the baseline, as a percentage."""

    reviewer: str = ""
    text: str = MISSING
    tone: str = "gray"
    testid: str = ""


def alignments(results: dict) -> list[Alignment]:
    """Each reviewer's alignment with the baseline (the baseline itself is not listed)."""
    rows = []
    for name, value in results["alignment"].items():
        rows.append(
            Alignment(
                reviewer=name,
                text=MISSING if value is None else f"{value * 100:.0f}%",
                tone="gray"
                if value is None
                else "green"
                if value >= 0.9
                else "amber"
                if value >= 0.75
                else "red",
                testid=f"calib-alignment-{name}",
            )
        )
    return rows
