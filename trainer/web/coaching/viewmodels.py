"""What the coaching pages show, shaped from the coaching service's dicts: the sessions list,
the new-session form's options, and one session's action items, linked conversations with their
evidence, before/after figures and assigned practice. Pure functions and plain dataclasses (no
database, no Reflex), tested without a browser."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from trainer.web import formatting as fmt
from trainer.web.formatting import MISSING

NONE = ""  # the value of a select's "(none)" option
LIST_HREF = "/coaching"


def session_href(session_id: int | str) -> str:
    """The page of one coaching session."""
    return f"{LIST_HREF}/{session_id}"


def practice_href(scenario_id: str) -> str:
    """Where the agent practises a scenario."""
    return f"/practice/{quote(scenario_id)}"


def conversation_href(external_id: str) -> str:
    """A linked conversation's review page."""
    return f"/conversations/{quote(external_id)}"


def new_session_href(agent: str, conversation: str = "", criterion: str = "") -> str:
    """The coaching page with the new-session form opened for an agent (from a review: the
    conversation pre-linked and the criterion to work on)."""
    query = {"new": "1", "agent": agent}
    if conversation:
        query["conversation"] = conversation
    if criterion:
        query["criterion"] = criterion
    return f"{LIST_HREF}?{urlencode(query)}"


def percent(value: float | None) -> str:
    """A 0-1 value as people read it ("75%"), a dash when there is none."""
    return MISSING if value is None else f"{value * 100:.0f}%"


@dataclasses.dataclass
class Option:
    """A select's option: the value sent and the label shown."""

    value: str = ""
    label: str = ""


@dataclasses.dataclass
class SessionRow:
    """A session in the list."""

    id: int = 0
    title: str = ""
    agent: str = ""
    coach: str = ""
    status: str = ""
    criterion: str = ""
    scenario: str = ""
    actions: str = ""
    follow_up: str = ""
    next_due: str = ""
    opened: str = ""
    href: str = ""


def session_rows(rows: list[dict]) -> list[SessionRow]:
    """The service's session summaries as table rows."""
    return [
        SessionRow(
            id=int(r["id"]),
            title=r["title"],
            agent=r["agent"] or MISSING,
            coach=r["coach"] or MISSING,
            status=r["status"].capitalize(),
            criterion=r["criterion_title"] or MISSING,
            scenario=r["scenario"] or MISSING,
            actions=f"{r['actions_done']}/{r['actions']}",
            follow_up=r["follow_up_on"] or MISSING,
            next_due=r["next_due"] or MISSING,
            opened=fmt.format_date(r["created_at"]),
            href=session_href(r["id"]),
        )
        for r in rows
    ]


def criterion_options(criteria: list[dict]) -> list[Option]:
    """The rubric's criteria for a select, "(none)" first; labels carry their section."""
    return [Option(NONE, "(none)")] + [
        Option(c["id"], f"{c['section_title']}: {c['title']}") for c in criteria
    ]


def scenario_options(scenarios: list[dict], section: str | None) -> list[Option]:
    """The scenarios for a select, "(none)" first, then those practising `section` (a
    criterion's rubric section, marked) and the rest."""
    practising = [s for s in scenarios if section and section in s["skills"]]
    others = [s for s in scenarios if s not in practising]
    return (
        [Option(NONE, "(none)")]
        + [Option(s["id"], f"{s['title']} · practises this") for s in practising]
        + [Option(s["id"], s["title"]) for s in others]
    )


@dataclasses.dataclass
class ActionRow:
    """An action item: text, due date, whether done or overdue."""

    id: int = 0
    text: str = ""
    due: str = ""
    done: bool = False
    overdue: bool = False


def action_rows(items: list[dict]) -> list[ActionRow]:
    """The session's action items as rows."""
    return [
        ActionRow(
            id=int(a["id"]),
            text=a["text"],
            due=a["due_on"] or "",
            done=bool(a["done"]),
            overdue=bool(a["overdue"]),
        )
        for a in items
    ]


@dataclasses.dataclass
class Quote:
    """A piece of evidence: the turn and the words it points at."""

    label: str = ""
    text: str = ""


@dataclasses.dataclass
class CriterionMiss:
    """A criterion of a linked conversation: the session's own (focus) or one missed."""

    id: str = ""
    title: str = ""
    value: str = ""
    tone: str = "gray"
    explanation: str = ""
    focus: bool = False
    quotes: list[Quote] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class LinkedConversation:
    """A linked conversation: its link, date, final score and the criteria to talk about."""

    conversation: str = ""
    href: str = ""
    visible: bool = False
    date: str = ""
    score: str = MISSING
    tone: str = "gray"
    kind: str = ""
    criteria: list[CriterionMiss] = dataclasses.field(default_factory=list)


def _miss(c: dict) -> CriterionMiss:
    cell = fmt.criterion_cell(c)
    return CriterionMiss(
        id=c["id"],
        title=c["title"],
        value=cell.text,
        tone=cell.tone,
        explanation=c["explanation"] or "",
        focus=bool(c["focus"]),
        quotes=[
            Quote(label=f"turn {q['turn'] + 1} · {q['speaker'] or '?'}", text=q["quote"])
            for q in c["evidence"]
        ],
    )


def linked_conversations(items: list[dict]) -> list[LinkedConversation]:
    """The linked conversations as cards (one the viewer may not see shows only its id)."""
    out = []
    for item in items:
        if not item.get("visible"):
            out.append(LinkedConversation(conversation=item["conversation"]))
            continue
        score = item["score"]
        out.append(
            LinkedConversation(
                conversation=item["conversation"],
                href=conversation_href(item["conversation"]),
                visible=True,
                date=fmt.format_date(item["started_at"]),
                score=fmt.score_text(score),
                tone=fmt.tone(score),
                kind="human review" if item["kind"] == "human" else "automatic",
                criteria=[_miss(c) for c in item["criteria"]],
            )
        )
    return out


@dataclasses.dataclass
class Measure:
    """A before/after figure: the mean as a percentage and how many conversations."""

    label: str = ""
    value: str = MISSING
    n: int = 0
    text: str = ""


def measures(view: dict) -> list[Measure]:
    """Before and after the session was opened, on its criterion (empty without one)."""
    data = view.get("measures")
    if not data:
        return []
    return [
        Measure(
            label=label,
            value=percent(data[key]["mean"]),
            n=int(data[key]["n"]),
            text=f"{percent(data[key]['mean'])} (n={data[key]['n']})",
        )
        for key, label in (("before", "Before"), ("after", "Since"))
    ]


@dataclasses.dataclass
class Practice:
    """The assigned scenario and the agent's attempts at it."""

    id: str = ""
    title: str = ""
    href: str = ""
    attempts: int = 0
    passed: int = 0
    best: str = MISSING
    since: int = 0


def practice(view: dict) -> Practice:
    """The assigned practice (an empty one without a scenario)."""
    p = view.get("practice")
    if not p:
        return Practice()
    return Practice(
        id=p["id"],
        title=p["title"],
        href=practice_href(p["id"]),
        attempts=int(p["attempts"]),
        passed=int(p["passed"]),
        best=fmt.score_text(p["best_score"]),
        since=int(p["attempts_since"]),
    )
