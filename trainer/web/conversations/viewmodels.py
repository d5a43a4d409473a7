"""The conversations list and a review's criteria, shaped from the services' dicts."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

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


@dataclasses.dataclass
class SectionGroup:
    """A rubric section with its score and its criteria."""

    id: str = ""
    title: str = ""
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    criteria: list[CriterionView] = dataclasses.field(default_factory=list)


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


def section_groups(view: dict) -> list[SectionGroup]:
    """A review's criteria grouped by section, sections in reading order."""
    by_section: dict[str, list[CriterionView]] = {}
    for c in view.get("criteria", []):
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
            )
        )
    sections = view.get("sections") or {}
    return [
        SectionGroup(
            id=s,
            title=section_title(s),
            score=score_cell(sections.get(s), s, section_title(s)),
            criteria=by_section.get(s, []),
        )
        for s in order_sections(set(by_section) | set(sections))
    ]
