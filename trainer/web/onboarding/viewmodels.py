"""What the onboarding pages show, shaped from the service's dicts: cohort rows, a person's path
as step cards (status, lock, a link to practise), the cohort's funnel and its member × step
grid. Pure functions and plain dataclasses (no database, no Reflex), tested without a browser."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from trainer.web.formatting import MISSING

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "passed": "Passed",
    "past_due": "Past due",
    "did_not_pass": "Did not pass",
}
#: The colour tone of each status (badges map tones to Radix colour schemes).
STATUS_TONES = {
    "not_started": "gray",
    "in_progress": "blue",
    "passed": "green",
    "past_due": "amber",
    "did_not_pass": "red",
}
STATUS_ORDER = tuple(STATUS_LABELS)
#: The funnel chart's colour per status (Radix colour steps, readable in light and dark).
STATUS_COLOURS = {
    "not_started": "var(--gray-8)",
    "in_progress": "var(--blue-9)",
    "passed": "var(--grass-9)",
    "past_due": "var(--amber-9)",
    "did_not_pass": "var(--tomato-9)",
}


def cohort_href(cohort_id: int | str) -> str:
    """The page of one cohort."""
    return f"/onboarding/{cohort_id}"


def certificate_href(certificate_id: int | str) -> str:
    """The certificate's PDF (served by the API to the signed-in browser)."""
    return f"/api/v1/certificates/{certificate_id}/pdf"


def practice_href(scenario_id: str) -> str:
    """The practice page of a step's scenario."""
    return f"/practice/{quote(scenario_id, safe='')}"


def score_text(value: float | None) -> str:
    """A score for people: "86", or a dash."""
    return MISSING if value is None else f"{value:.0f}"


@dataclasses.dataclass
class CohortRow:
    """A cohort in the list."""

    id: int = 0
    name: str = ""
    path: str = ""
    path_title: str = ""
    start_on: str = ""
    due_on: str = ""
    members: int = 0
    finished: int = 0
    href: str = ""


def cohort_rows(rows: list[dict]) -> list[CohortRow]:
    """The cohorts the service lists, as table rows."""
    return [
        CohortRow(
            id=int(r["id"]),
            name=r["name"],
            path=r["path"],
            path_title=r["path_title"],
            start_on=r["start_on"] or MISSING,
            due_on=r["due_on"] or MISSING,
            members=len(r["members"]),
            finished=int(r["finished"]),
            href=cohort_href(r["id"]),
        )
        for r in rows
    ]


@dataclasses.dataclass
class StepCard:
    """One step of a person's path: its status, whether it is locked, what was done, and a link
    to practise it while it can still be passed."""

    number: int = 0
    step: str = ""
    title: str = ""
    status: str = ""
    label: str = ""
    tone: str = "gray"
    locked: bool = False
    can_practise: bool = False
    detail: str = ""
    best: str = MISSING
    href: str = ""


@dataclasses.dataclass
class PathCard:
    """A person's learning path: title, cohort, due date, overall status, the steps and, once
    finished, the certificate's link."""

    key: str = ""
    name: str = ""
    path: str = ""
    title: str = ""
    cohort: str = ""
    due_on: str = ""
    status: str = ""
    label: str = ""
    tone: str = "gray"
    passed_steps: int = 0
    total_steps: int = 0
    current: str = ""
    steps: list[StepCard] = dataclasses.field(default_factory=list)
    certificate_href: str = ""


def _detail(step: dict, min_passes: int, max_attempts: int | None) -> str:
    if step["locked"]:
        return "Unlocks when the step before it is passed"
    parts = [f"{step['passes']} of {min_passes} passed"]
    if max_attempts:
        parts.append(f"{step['attempts']} of {max_attempts} attempts used")
    elif step["attempts"]:
        parts.append(f"{step['attempts']} attempt{'s' if step['attempts'] != 1 else ''}")
    return " · ".join(parts)


def step_cards(row: dict, rules: dict[str, dict]) -> list[StepCard]:
    """A progress row's steps as cards; `rules` are the path's steps by id (passes needed,
    attempt limit)."""
    cards = []
    for number, step in enumerate(row["steps"], 1):
        rule = rules.get(step["step"], {})
        open_to_practise = not step["locked"] and step["status"] not in ("passed", "did_not_pass")
        cards.append(
            StepCard(
                number=number,
                step=step["step"],
                title=step.get("title") or step["step"],
                status=step["status"],
                label=STATUS_LABELS.get(step["status"], step["status"]),
                tone=STATUS_TONES.get(step["status"], "gray"),
                locked=bool(step["locked"]),
                can_practise=open_to_practise,
                detail=_detail(step, rule.get("min_passes", 1), rule.get("max_attempts")),
                best=score_text(step.get("best")),
                href=practice_href(step["step"]),
            )
        )
    return cards


def path_cards(rows: list[dict], paths: dict[str, dict]) -> list[PathCard]:
    """Progress rows (the service's `people_progress` / `my_progress`) as path cards; `paths`
    are the path views by id (for each step's rules)."""
    cards = []
    for row in rows:
        rules = {s["step"]: s for s in paths.get(row["path"], {}).get("steps", [])}
        steps = step_cards(row, rules)
        cert = row.get("certificate")
        cards.append(
            PathCard(
                key=f"{row['name']}:{row['path']}",
                name=row["name"],
                path=row["path"],
                title=row["path_title"],
                cohort=row.get("cohort") or "",
                due_on=row.get("due_on") or MISSING,
                status=row["status"],
                label=STATUS_LABELS.get(row["status"], row["status"]),
                tone=STATUS_TONES.get(row["status"], "gray"),
                passed_steps=sum(1 for s in steps if s.status == "passed"),
                total_steps=len(steps),
                current=next((s.title for s in steps if s.status != "passed"), ""),
                steps=steps,
                certificate_href=certificate_href(cert["id"]) if cert else "",
            )
        )
    return cards


@dataclasses.dataclass
class FunnelRow:
    """A step of the funnel: how many members have each status (and wait behind a lock)."""

    step: str = ""
    title: str = ""
    not_started: int = 0
    in_progress: int = 0
    passed: int = 0
    past_due: int = 0
    did_not_pass: int = 0
    locked: int = 0


def funnel_rows(funnel: list[dict]) -> list[FunnelRow]:
    """The service's funnel as rows (also the stacked bar chart's data)."""
    return [
        FunnelRow(
            step=row["step"],
            title=row["title"],
            **{status: int(row[status]) for status in STATUS_ORDER},
            locked=int(row["locked"]),
        )
        for row in funnel
    ]


def funnel_chart(funnel: list[dict]) -> list[dict]:
    """The funnel as recharts rows: one per step, a key per status."""
    return [
        {"step": row["title"], **{status: int(row[status]) for status in STATUS_ORDER}}
        for row in funnel
    ]


@dataclasses.dataclass
class GridCell:
    """One member's status on one step."""

    step: str = ""
    status: str = ""
    label: str = ""
    tone: str = "gray"
    locked: bool = False
    title: str = ""


@dataclasses.dataclass
class GridRow:
    """A member's row of the cohort grid: where they are (or are stuck) and each step."""

    name: str = ""
    status: str = ""
    label: str = ""
    tone: str = "gray"
    current: str = ""
    stuck: bool = False
    cells: list[GridCell] = dataclasses.field(default_factory=list)
    certificate_href: str = ""


def grid_rows(members: list[dict]) -> list[GridRow]:
    """Each member's statuses per step. Stuck: the path did not pass or is past due."""
    rows = []
    for m in members:
        titles = {s["step"]: s.get("title") or s["step"] for s in m["steps"]}
        cells = [
            GridCell(
                step=s["step"],
                status=s["status"],
                label=STATUS_LABELS.get(s["status"], s["status"]),
                tone=STATUS_TONES.get(s["status"], "gray"),
                locked=bool(s["locked"]),
                title=(
                    f"{titles[s['step']]}: {s['passes']} passed of {s['attempts']} attempts"
                    f", best {score_text(s.get('best'))}"
                ),
            )
            for s in m["steps"]
        ]
        cert = m.get("certificate")
        rows.append(
            GridRow(
                name=m["name"],
                status=m["status"],
                label=STATUS_LABELS.get(m["status"], m["status"]),
                tone=STATUS_TONES.get(m["status"], "gray"),
                current=titles.get(m.get("current_step") or "", "") or MISSING,
                stuck=m["status"] in ("past_due", "did_not_pass"),
                cells=cells,
                certificate_href=certificate_href(cert["id"]) if cert else "",
            )
        )
    return rows
