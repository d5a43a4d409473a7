"""Role-play practice as the pages show it: scenario cards, chat bubbles, the mood meter,
feedback, the attempt history and the progress chart."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from urllib.parse import quote

from trainer.web.formatting import (
    MISSING,
    SECTION_TITLES,
    ScoreCell,
    format_date,
    score_cell,
)

OUTCOME_LABELS = {
    "resolved": "Resolved",
    "customer_left": "Customer left",
    "turn_limit": "Turn limit reached",
    "unresolved": "Ended before resolving",
}
OUTCOME_TONES = {"resolved": "green", "customer_left": "red", "turn_limit": "amber"}
DIFFICULTY_TONES = {"easy": "green", "medium": "amber", "hard": "red"}
SKILL_TITLES = {**SECTION_TITLES, "conflict_resolution": "Conflict resolution"}
# Line colours of the progress chart, one per skill (Radix step-9 colours).
SKILL_COLOURS = {
    "empathy": "var(--crimson-9)",
    "clarity": "var(--blue-9)",
    "resolution": "var(--grass-9)",
    "follow_up": "var(--amber-9)",
    "conflict_resolution": "var(--violet-9)",
}
MOOD_MAX = 10
FEEDBACK_KIND_TITLES = {"outcome": "How it ended", "reaction": "How the customer reacted"}
# "turn 3: " at the start of a feedback message (the page shows the turn beside it).
TURN_PREFIX_RE = re.compile(r"^turn \d+:\s*", re.IGNORECASE)


@dataclasses.dataclass
class ScenarioCard:
    """A scenario in the practice library, with the trainee's results on it."""

    id: str = ""
    title: str = ""
    summary: str = ""
    difficulty: str = ""
    difficulty_tone: str = "gray"
    skills: list[str] = dataclasses.field(default_factory=list)
    customer: str = ""
    temperament: str = ""
    persona: str = ""
    pass_mark: int = 0
    attempts: int = 0
    best: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    latest: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    passed: bool = False
    href: str = ""


@dataclasses.dataclass
class MoodView:
    """The customer's mood as a meter: 0 calm .. 10 leaving, a word for it and a colour."""

    value: int = 0
    percent: int = 0
    label: str = ""
    tone: str = "green"


@dataclasses.dataclass
class ChatBubble:
    """One line of the role-play chat."""

    turn: int = 0
    speaker: str = ""
    who: str = ""
    text: str = ""
    mine: bool = False


@dataclasses.dataclass
class FeedbackView:
    """One feedback item: where (a turn or the whole attempt), what, and a better reply."""

    where: str = ""
    turn: int = 0
    kind: str = ""
    tone: str = "gray"
    title: str = ""
    message: str = ""
    better_reply: str = ""


@dataclasses.dataclass
class AttemptRow:
    """One finished attempt in the history table."""

    attempt: int = 0
    scenario: str = ""
    title: str = ""
    date: str = ""
    outcome: str = ""
    outcome_label: str = ""
    outcome_tone: str = "gray"
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    passed: bool = False
    href: str = ""


@dataclasses.dataclass
class SkillLine:
    """A line of the progress chart: the skill's key in the chart rows, label and colour."""

    key: str = ""
    label: str = ""
    colour: str = ""


def skill_title(skill: str) -> str:
    """`follow_up` -> `Follow-up`, `conflict_resolution` -> `Conflict resolution`."""
    return SKILL_TITLES.get(skill) or skill.replace("_", " ").capitalize()


def practice_href(scenario_id: str) -> str:
    """The practice page of a scenario."""
    return f"/practice/{quote(scenario_id, safe='')}"


def mood_view(mood: int | None) -> MoodView:
    """The meter for a mood 0-10 (clamped): green while calm, amber when annoyed, red when angry."""
    value = max(0, min(MOOD_MAX, int(mood or 0)))
    if value <= 2:
        label, colour = "Calm", "green"
    elif value <= 4:
        label, colour = "Settling", "green"
    elif value <= 6:
        label, colour = "Annoyed", "amber"
    elif value <= 8:
        label, colour = "Angry", "red"
    else:
        label, colour = "About to leave", "red"
    return MoodView(value, value * 100 // MOOD_MAX, label, colour)


def mood_points(moods: Iterable[int]) -> list[dict[str, int]]:
    """The mood curve for the chart: the start (turn 0) and after each reply."""
    return [{"reply": i, "mood": int(m)} for i, m in enumerate(moods)]


def outcome_label(outcome: str | None) -> str:
    """`customer_left` -> `Customer left`."""
    if not outcome:
        return MISSING
    return OUTCOME_LABELS.get(outcome) or outcome.replace("_", " ").capitalize()


def outcome_tone(outcome: str | None) -> str:
    """Colour of an outcome badge."""
    return OUTCOME_TONES.get(outcome or "", "gray")


def chat_bubbles(turns: Iterable[dict], customer: str, trainee: str = "You") -> list[ChatBubble]:
    """The attempt's turns as chat bubbles (the trainee's on the right)."""
    bubbles = []
    for turn in turns:
        speaker = turn.get("speaker", "")
        mine = speaker == "agent"
        who = trainee if mine else customer if speaker == "customer" else "System"
        bubbles.append(ChatBubble(int(turn.get("turn", 0)), speaker, who, turn["text"], mine))
    return bubbles


def feedback_views(items: Iterable[dict]) -> list[FeedbackView]:
    """Feedback items, turn-tied ones in turn order first, then those about the whole attempt."""
    views = []
    for item in items:
        turn = item.get("turn")
        kind = item.get("kind") or ""
        views.append(
            FeedbackView(
                where=f"Turn {turn}" if turn else "Overall",
                turn=int(turn or 0),
                kind=kind,
                tone="red" if kind == "outcome" else "amber",
                title=item.get("title") or FEEDBACK_KIND_TITLES.get(kind, ""),
                message=TURN_PREFIX_RE.sub("", item.get("message") or "", count=1),
                better_reply=item.get("better_reply") or "",
            )
        )
    return sorted(views, key=lambda v: (v.turn == 0, v.turn))


def scenario_cards(library: Iterable[dict], progress: dict | None) -> list[ScenarioCard]:
    """The library's cards with the trainee's best/latest score and whether they passed."""
    results = {row["scenario"]: row for row in (progress or {}).get("scenarios", [])}
    cards = []
    for brief in library:
        mine = results.get(brief["id"], {})
        cards.append(
            ScenarioCard(
                id=brief["id"],
                title=brief["title"],
                summary=brief.get("summary", ""),
                difficulty=brief["difficulty"],
                difficulty_tone=DIFFICULTY_TONES.get(brief["difficulty"], "gray"),
                skills=[skill_title(s) for s in brief.get("skills", [])],
                customer=brief.get("customer", ""),
                temperament=brief.get("temperament", ""),
                persona=brief.get("persona", ""),
                pass_mark=int(brief.get("pass_mark") or 0),
                attempts=int(mine.get("attempts") or 0),
                best=score_cell(mine.get("best"), "best", "Best"),
                latest=score_cell(mine.get("latest"), "latest", "Latest"),
                passed=bool(mine.get("passed")),
                href=practice_href(brief["id"]),
            )
        )
    return cards


def attempt_rows(attempts: Iterable[dict], titles: dict[str, str]) -> list[AttemptRow]:
    """The trainee's finished attempts, newest first."""
    rows = [
        AttemptRow(
            attempt=int(a["attempt"]),
            scenario=a["scenario"],
            title=titles.get(a["scenario"], a["scenario"]),
            date=format_date(a.get("finished_at")),
            outcome=a.get("outcome") or "",
            outcome_label=outcome_label(a.get("outcome")),
            outcome_tone=outcome_tone(a.get("outcome")),
            score=score_cell(a.get("score"), "score", "Score"),
            passed=bool(a.get("passed")),
            href=practice_href(a["scenario"]),
        )
        for a in attempts
    ]
    return rows[::-1]


def progress_chart(attempts: list[dict], progress: dict) -> tuple[list[dict], list[SkillLine]]:
    """Rows for the per-skill progress chart (one per finished attempt, oldest first: `label`
    "#1".., then a score per skill) and the skills that have any score, as chart lines."""
    skills = progress.get("skills", {})
    values = {
        skill: {point["attempt"]: point["value"] for point in data.get("series", [])}
        for skill, data in skills.items()
    }
    shown = [skill for skill in skills if values[skill]]
    rows = []
    for number, attempt in enumerate(attempts, 1):
        row: dict = {"label": f"#{number}", "scenario": attempt["scenario"]}
        for skill in shown:
            value = values[skill].get(attempt["attempt"])
            if value is not None:
                row[skill] = round(float(value), 1)
        rows.append(row)
    lines = [SkillLine(s, skill_title(s), SKILL_COLOURS.get(s, "var(--gray-9)")) for s in shown]
    return rows, lines
