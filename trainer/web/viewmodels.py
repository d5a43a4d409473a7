"""What the pages show, shaped from the service layer's dicts: plain dataclasses and pure functions.

Nothing here touches the database or Reflex, so the shaping (score labels, colours, the split of
a turn's text around evidence spans) is tested without a browser. The states in `pages/` call the
services, then these functions, and hold the results as typed vars the components render.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote, urlencode

# Sections of the shipped rubric in the order people read them; other sections follow, sorted.
SECTION_ORDER = ("empathy", "clarity", "resolution", "follow_up", "call_handling")
SECTION_TITLES = {
    "empathy": "Empathy",
    "clarity": "Clarity",
    "resolution": "Resolution",
    "follow_up": "Follow-up",
    "call_handling": "Call handling",
}
# Columns of `list_conversations` rows that are not section scores.
ROW_FIELDS = frozenset(
    "conversation channel agent customer started_at status rubric kind score".split()
)
SCORECARD_FIELDS = frozenset({"agent", "conversations", "score"})
SPEAKER_LABELS = {"agent": "Agent", "customer": "Customer", "system": "System"}
MISSING = "—"


@dataclasses.dataclass
class Column:
    """A section column of a table: its key in the service rows and its heading."""

    key: str = ""
    label: str = ""


@dataclasses.dataclass
class ScoreCell:
    """A score as shown: text ("87", "N/A", "—") and a colour scheme name for its badge."""

    key: str = ""
    label: str = ""
    text: str = MISSING
    tone: str = "gray"


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
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    sections: list[ScoreCell] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ScorecardRow:
    """One agent on the scorecard."""

    agent: str = ""
    href: str = ""
    conversations: int = 0
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    sections: list[ScoreCell] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Segment:
    """A piece of a turn's text; `mark` pieces are evidence of the selected criterion."""

    text: str = ""
    mark: bool = False


@dataclasses.dataclass
class TurnView:
    """A transcript turn, its text split into segments around the highlighted evidence."""

    index: int = 0
    number: int = 1
    speaker: str = "agent"
    label: str = ""
    time: str = ""
    highlighted: bool = False
    segments: list[Segment] = dataclasses.field(default_factory=list)


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


def section_title(section_id: str) -> str:
    """A heading for a section id ("follow_up" -> "Follow-up"; unknown ids are prettified)."""
    pretty = section_id.replace("_", " ").replace("-", " ").capitalize()
    return SECTION_TITLES.get(section_id, pretty)


def order_sections(keys: Iterable[str]) -> list[str]:
    """Section ids in reading order: the shipped rubric's order first, then the rest sorted."""
    keys = set(keys)
    known = [k for k in SECTION_ORDER if k in keys]
    return known + sorted(keys - set(known))


def tone(score: float | None) -> str:
    """The badge colour of a 0-100 score: green from 80, amber from 60, red below, gray if none."""
    if score is None:
        return "gray"
    if score >= 80:
        return "green"
    if score >= 60:
        return "amber"
    return "red"


def score_text(score: float | None) -> str:
    """A 0-100 score rounded for people ("87"), or a dash when there is none."""
    return MISSING if score is None else f"{score:.0f}"


def score_cell(score: float | None, key: str = "", label: str = "") -> ScoreCell:
    """A 0-100 score (or None) as a cell."""
    return ScoreCell(key=key, label=label, text=score_text(score), tone=tone(score))


def criterion_cell(criterion: dict) -> ScoreCell:
    """A criterion's result: its 0-1 value as a percentage, "N/A", or "Unscored"."""
    if criterion.get("na") or criterion.get("status") == "na":
        return ScoreCell(key=criterion["id"], text="N/A", tone="gray")
    value = criterion.get("value")
    if value is None:
        return ScoreCell(key=criterion["id"], text="Unscored", tone="gray")
    return ScoreCell(key=criterion["id"], text=f"{value * 100:.0f}%", tone=tone(value * 100))


def format_date(value: str | None) -> str:
    """An ISO timestamp as "2026-03-02 09:14"; a dash when missing; the raw text if unparsable."""
    if not value:
        return MISSING
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def format_seconds(value: float | None) -> str:
    """Seconds from the start as "m:ss" (calls have timings, chats usually not)."""
    if value is None:
        return ""
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes}:{seconds:02d}"


def review_href(external_id: str) -> str:
    """The review page of a conversation."""
    return f"/conversations/{quote(external_id, safe='')}"


def agent_href(agent: str) -> str:
    """The conversations list filtered to one agent."""
    return "/conversations?" + urlencode({"agent": agent})


def parse_score(text: str) -> float | None:
    """A score bound typed by a person: None when blank; ValueError unless a number in 0-100."""
    text = (text or "").strip()
    if not text:
        return None
    value = float(text)
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


def section_keys(rows: list[dict], fixed: frozenset[str]) -> list[str]:
    """The section columns present in service rows (any key that is not a fixed field)."""
    return order_sections({key for row in rows for key in row if key not in fixed})


def columns(keys: list[str]) -> list[Column]:
    """Table column headings for section keys."""
    return [Column(key=k, label=section_title(k)) for k in keys]


def conversation_rows(rows: list[dict], keys: list[str]) -> list[ConversationRow]:
    """`list_conversations` rows shaped for the table."""
    return [
        ConversationRow(
            conversation=row["conversation"],
            href=review_href(row["conversation"]),
            agent=row.get("agent") or MISSING,
            channel=row.get("channel") or MISSING,
            customer=row.get("customer") or MISSING,
            date=format_date(row.get("started_at")),
            status=row.get("status") or "",
            score=score_cell(row.get("score"), "score", "Score"),
            sections=[score_cell(row.get(k), k, section_title(k)) for k in keys],
        )
        for row in rows
    ]


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


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans clamped to [0, length], empty ones dropped, overlapping or touching ones merged."""
    clean = sorted(
        (max(0, min(s, length)), max(0, min(e, length))) for s, e in spans if e is not None
    )
    merged: list[tuple[int, int]] = []
    for start, end in clean:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def split_text(text: str, spans: Iterable[tuple[int, int]]) -> list[Segment]:
    """A turn's text as plain and marked segments; joined back they give the text unchanged."""
    segments: list[Segment] = []
    cursor = 0
    for start, end in merge_spans(spans, len(text)):
        if start > cursor:
            segments.append(Segment(text=text[cursor:start]))
        segments.append(Segment(text=text[start:end], mark=True))
        cursor = end
    if cursor < len(text) or not segments:
        segments.append(Segment(text=text[cursor:]))
    return segments


def evidence_spans(view: dict, criterion_id: str) -> dict[int, list[tuple[int, int]]]:
    """The selected criterion's evidence as {turn index: [(start, end), ...]}."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for c in view.get("criteria", []):
        if c["id"] == criterion_id:
            for e in c.get("evidence") or []:
                spans.setdefault(int(e["turn"]), []).append((int(e["start"]), int(e["end"])))
    return spans


def turn_views(view: dict, criterion_id: str = "") -> list[TurnView]:
    """The transcript, with the evidence of `criterion_id` (if any) split out as marks."""
    spans = evidence_spans(view, criterion_id) if criterion_id else {}
    return [
        TurnView(
            index=i,
            number=i + 1,
            speaker=t["speaker"],
            label=SPEAKER_LABELS.get(t["speaker"], t["speaker"].capitalize()),
            time=format_seconds(t.get("start")),
            highlighted=bool(merge_spans(spans.get(i, []), len(t["text"]))),
            segments=split_text(t["text"], spans.get(i, [])),
        )
        for i, t in enumerate(view.get("turns", []))
    ]


def evidence_quotes(view: dict, criterion_id: str) -> list[str]:
    """The exact text of each evidence span of a criterion, in transcript order."""
    turns = view.get("turns", [])
    quotes = []
    for index, spans in sorted(evidence_spans(view, criterion_id).items()):
        if 0 <= index < len(turns):
            text = turns[index]["text"]
            quotes.extend(text[s:e] for s, e in merge_spans(spans, len(text)))
    return quotes
