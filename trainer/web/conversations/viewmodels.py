"""The conversations list and a review's criteria, shaped from the services' dicts."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from trainer.web.conversations.review_model import (
    CriterionInfo,
    Level,
    auto_fail_notes,
    automatic_choice,
    levels,
)
from trainer.web.formatting import (
    MISSING,
    ScoreCell,
    StatusView,
    criterion_cell,
    format_date,
    order_sections,
    score_cell,
    section_title,
    status_view,
)

ROW_FIELDS = frozenset(
    "conversation channel agent customer started_at status rubric kind score".split()
)


@dataclasses.dataclass
class ConversationRow:
    """One row of the conversations list."""

    conversation: str = ""
    href: str = ""
    agent: str = ""
    channel: str = ""
    customer: str = ""
    date: str = ""
    status: str = ""
    state: StatusView = dataclasses.field(default_factory=StatusView)
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    sections: list[ScoreCell] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CriterionView:
    """A criterion's result as shown in the review panel."""

    id: str = ""
    section: str = ""
    title: str = ""
    explanation: str = ""
    status: str = ""
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    evidence_count: int = 0
    detector: str = ""
    # The review form: the scale's buttons, whether N/A may be chosen, the machine's choice
    # ("na", a value, or "" when unscored) and why an N/A criterion did not apply.
    levels: list[Level] = dataclasses.field(default_factory=list)
    na_allowed: bool = True
    auto_fail: str = ""
    automatic: str = ""
    na_note: str = ""
    # The final review's value where a submitted human review decides the score ("" if none).
    final: str = ""


@dataclasses.dataclass
class SectionGroup:
    """A rubric section with its score and its criteria."""

    id: str = ""
    title: str = ""
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    criteria: list[CriterionView] = dataclasses.field(default_factory=list)
    auto_fail_note: str = ""  # which auto-fail criterion zeroed the section ("" if none did)


def review_href(external_id: str) -> str:
    """The review page of a conversation."""
    return f"/conversations/{quote(external_id, safe='')}"


def agent_href(agent: str) -> str:
    """The conversations list filtered to one agent."""
    return "/conversations?" + urlencode({"agent": agent})


def conversation_rows(
    rows: list[dict], keys: list[str], statuses: dict[str, dict] | None = None
) -> list[ConversationRow]:
    """`list_conversations` rows shaped for the table; `statuses` (`conversation_statuses`) adds
    the progress of calls being transcribed and the reason of failures."""
    statuses = statuses or {}

    def state(row: dict) -> StatusView:
        found = statuses.get(row["conversation"]) or {}
        return status_view(
            found.get("status") or row.get("status"),
            found.get("progress"),
            found.get("stage"),
            found.get("reason"),
        )

    return [
        ConversationRow(
            conversation=row["conversation"],
            href=review_href(row["conversation"]),
            agent=row.get("agent") or MISSING,
            channel=row.get("channel") or MISSING,
            customer=row.get("customer") or MISSING,
            date=format_date(row.get("started_at")),
            status=row.get("status") or "",
            state=state(row),
            score=score_cell(row.get("score"), "score", "Score"),
            sections=[score_cell(row.get(k), k, section_title(k)) for k in keys],
        )
        for row in rows
    ]


def _na_note(criterion: dict) -> str:
    if not (criterion.get("na") or criterion.get("status") == "na"):
        return ""
    why = (criterion.get("explanation") or "").strip()
    return f"Not applicable: {why}" if why else "Not applicable to this conversation."


def section_groups(
    view: dict,
    info: dict[str, CriterionInfo] | None = None,
    final: dict[str, str] | None = None,
) -> list[SectionGroup]:
    """A review's criteria grouped by section, sections in reading order; with the rubric's
    `info` each criterion gets its scale buttons, and each section zeroed by an auto-fail
    criterion says which. `final` is the deciding human review's value per criterion."""
    info, final = info or {}, final or {}
    by_section: dict[str, list[CriterionView]] = {}
    values: dict[str, float | None] = {}
    for c in view.get("criteria", []):
        values[c["id"]] = None if c.get("na") else c.get("value")
        known = info.get(c["id"])
        by_section.setdefault(c["section"], []).append(
            CriterionView(
                id=c["id"],
                section=c["section"],
                title=c.get("title") or c["id"],
                explanation=c.get("explanation") or "",
                status=c.get("status") or "",
                score=criterion_cell(c),
                evidence_count=len(c.get("evidence") or []),
                detector=c.get("detector") or "",
                levels=levels(known, None if c.get("na") else c.get("value")),
                na_allowed=known.na_allowed if known else False,
                auto_fail=(known.auto_fail or "") if known else "",
                automatic=automatic_choice(c),
                na_note=_na_note(c),
                final=final.get(c["id"], ""),
            )
        )
    sections = view.get("sections") or {}
    notes, _ = auto_fail_notes(info, values)
    return [
        SectionGroup(
            id=s,
            title=section_title(s),
            score=score_cell(sections.get(s), s, section_title(s)),
            criteria=by_section.get(s, []),
            auto_fail_note=notes.get(s, ""),
        )
        for s in order_sections(set(by_section) | set(sections))
    ]
