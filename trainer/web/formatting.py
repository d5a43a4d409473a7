"""Shared shaping of what pages show: scores and their colours, dates, durations, processing
statuses, rubric sections. Pure functions and plain dataclasses (no database, no Reflex), tested
without a browser."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime

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

MISSING = "—"
PENDING = frozenset({"queued", "processing"})


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
class StatusView:
    """A conversation's processing status as a badge: "Queued", "Processing 45%", "Failed".

    `shown` is false for conversations that are simply done (ingested, scored)."""

    status: str = ""
    label: str = ""
    tone: str = "gray"
    percent: int = 0
    stage: str = ""
    reason: str = ""
    pending: bool = False
    failed: bool = False
    shown: bool = False


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


def format_duration(value: float | None) -> str:
    """A length of time for people: "9.5 s" under a minute, "1:12" from a minute; a dash if none."""
    if value is None:
        return MISSING
    if value < 60:
        return f"{value:.1f} s"
    return format_seconds(value)


def status_view(
    status: str | None,
    progress: float | None = None,
    stage: str | None = None,
    reason: str | None = None,
) -> StatusView:
    """The badge of a conversation's processing status; `shown` only while queued or processing
    (with the percentage done) and when failed (with the reason)."""
    status = status or ""
    if status == "queued":
        return StatusView(status, "Queued", "gray", 0, stage or "", "", True, False, True)
    if status == "processing":
        percent = int(round(min(1.0, max(0.0, progress or 0.0)) * 100))
        return StatusView(
            status, f"Processing {percent}%", "blue", percent, stage or "", "", True, False, True
        )
    if status == "failed":
        text = reason or "No reason was recorded."
        return StatusView(status, "Failed", "red", 0, stage or "", text, False, True, True)
    return StatusView(status=status, label=status.capitalize())


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
