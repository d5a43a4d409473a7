"""What the pages show, shaped from the service layer's dicts: plain dataclasses and pure functions.

Nothing here touches the database or Reflex, so the shaping (score labels, colours, the split of
a turn's text around evidence spans) is tested without a browser. The states in `pages/` call the
services, then these functions, and hold the results as typed vars the components render.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote, urlencode

from trainer.privacy.config import PLACEHOLDERS

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
PENDING = frozenset({"queued", "processing"})
# Redaction placeholders ("[CARD]") inside transcript text, shown as badges.
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in sorted(PLACEHOLDERS)))
SPEAKER_MODES = {
    "stereo": "Stereo: one channel per speaker",
    "mono": "Mono: voices told apart",
}


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
class ScorecardRow:
    """One agent on the scorecard."""

    agent: str = ""
    href: str = ""
    conversations: int = 0
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    sections: list[ScoreCell] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Segment:
    """A piece of a turn's text; `mark` pieces are evidence of the selected criterion, and
    `redaction` pieces are placeholders for removed personal data ("[CARD]")."""

    text: str = ""
    mark: bool = False
    redaction: bool = False


@dataclasses.dataclass
class TurnView:
    """A transcript turn, its text split into segments around the highlighted evidence."""

    index: int = 0
    number: int = 1
    speaker: str = "agent"
    label: str = ""
    time: str = ""
    start: float = 0.0
    seekable: bool = False
    highlighted: bool = False
    segments: list[Segment] = dataclasses.field(default_factory=list)
    speaker_check: str = ""  # why a reviewer should check who said this (mono calls), or ""


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


@dataclasses.dataclass
class SpeechStat:
    """One speech metric of a call: a label, its value as text, and what it means."""

    key: str = ""
    label: str = ""
    value: str = MISSING
    hint: str = ""


@dataclasses.dataclass
class GapView:
    """A stretch of silence worth a look: dead air or a hold, with where it starts."""

    kind: str = ""
    label: str = ""
    start: float = 0.0
    time: str = ""
    seconds: str = ""
    after: str = ""


@dataclasses.dataclass
class CallView:
    """A call's speech analytics panel: talk shares, the metrics, gaps and how it was made."""

    duration: str = MISSING
    agent_share: int = 0
    customer_share: int = 0
    silence_share: int = 0
    talk_ratio: str = MISSING
    stats: list[SpeechStat] = dataclasses.field(default_factory=list)
    gaps: list[GapView] = dataclasses.field(default_factory=list)
    speaker_mode: str = MISSING
    mono: bool = False
    asr: str = MISSING
    redactions: int = 0
    redaction_text: str = "Nothing redacted"
    role_swaps: int = 0
    speaker_checks: str = ""  # "2 turns to check" on a mono call with unclear voices, else ""
    measured: bool = False
    has_audio: bool = False


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


def _ratio(value: float | None) -> str:
    return MISSING if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.0f}%"


def _count(value, one: str, many: str) -> str:
    value = int(value or 0)
    return f"{value} {one if value == 1 else many}"


def _wpm(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0f} wpm"


def speech_stats(speech: dict) -> list[SpeechStat]:
    """The speech metrics of a call (`extra["speech"]`) as labelled values, in reading order."""
    talk = speech.get("talk_seconds") or {}
    wpm = speech.get("words_per_minute") or {}
    overtalk = speech.get("overtalk_count") or 0
    overtalk_text = _count(overtalk, "time", "times")
    if overtalk:
        overtalk_text += f", {format_duration(speech.get('overtalk_seconds') or 0.0)}"
    dead_air = speech.get("dead_air") or []
    holds = speech.get("holds") or []
    hold_text = _count(len(holds), "hold", "holds")
    if holds:
        hold_text += f", {format_duration(sum(h.get('seconds') or 0.0 for h in holds))}"
    return [
        SpeechStat(
            "talk_agent", "Agent talk time", format_duration(talk.get("agent")), "seconds speaking"
        ),
        SpeechStat(
            "talk_customer",
            "Customer talk time",
            format_duration(talk.get("customer")),
            "seconds speaking",
        ),
        SpeechStat(
            "talk_to_listen",
            "Talk-to-listen ratio",
            _ratio(speech.get("talk_to_listen")),
            "agent talk time ÷ customer talk time",
        ),
        SpeechStat(
            "silence_share",
            "Silence",
            _percent(speech.get("silence_share")),
            "share of the call nobody speaks",
        ),
        SpeechStat(
            "longest_silence",
            "Longest silence",
            format_duration(speech.get("longest_silence")),
            "longest gap between speech",
        ),
        SpeechStat(
            "dead_air",
            "Dead air",
            _count(len(dead_air), "gap", "gaps"),
            "unannounced silences over 10 s",
        ),
        SpeechStat("overtalk", "Overtalk", overtalk_text, "both speaking at once"),
        SpeechStat(
            "agent_interruptions",
            "Agent interruptions",
            str(int(speech.get("agent_interruptions") or 0)),
            "agent started while the customer spoke",
        ),
        SpeechStat("wpm_agent", "Agent pace", _wpm(wpm.get("agent")), "words per minute"),
        SpeechStat("wpm_customer", "Customer pace", _wpm(wpm.get("customer")), "words per minute"),
        SpeechStat(
            "longest_agent_monologue",
            "Longest agent monologue",
            format_duration(speech.get("longest_agent_monologue")),
            "agent speaking without the customer",
        ),
        SpeechStat("holds", "Holds", hold_text, "announced holds"),
    ]


def gap_views(speech: dict) -> list[GapView]:
    """Dead-air gaps and holds in time order, each with the turn it follows."""
    gaps = [("dead_air", "Dead air", g) for g in speech.get("dead_air") or []] + [
        ("hold", "Hold", g) for g in speech.get("holds") or []
    ]
    out = []
    for kind, label, gap in sorted(gaps, key=lambda item: float(item[2].get("start") or 0.0)):
        start = float(gap.get("start") or 0.0)
        after = gap.get("after_turn")
        follows = isinstance(after, int) and after >= 0
        out.append(
            GapView(
                kind=kind,
                label=label,
                start=start,
                time=format_seconds(start),
                seconds=format_duration(gap.get("seconds")),
                after=f"after turn #{after + 1}" if follows else "",
            )
        )
    return out


def _share(part: float, whole: float) -> int:
    return int(round(100 * part / whole)) if whole > 0 else 0


def redaction_text(count: int, kinds: dict[str, int]) -> str:
    """ "3 items redacted (2 card, 1 phone)", or "Nothing redacted"."""
    if not count:
        return "Nothing redacted"
    detail = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in kinds.items())
    text = f"{count} {'item' if count == 1 else 'items'} redacted"
    return f"{text} ({detail})" if detail else text


def call_view(details: dict | None) -> CallView:
    """A call's analytics panel from `call_details` (an empty panel for None)."""
    if not details:
        return CallView()
    speech = details.get("speech") or {}
    talk = speech.get("talk_seconds") or {}
    duration = speech.get("duration") or details.get("duration") or 0.0
    agent, customer = float(talk.get("agent") or 0.0), float(talk.get("customer") or 0.0)
    asr = details.get("asr") or {}
    engine = " · ".join(str(v) for v in (asr.get("engine"), asr.get("model")) if v)
    mode = details.get("speaker_mode") or ""
    agent_share = _share(agent, duration)
    customer_share = _share(customer, duration)
    return CallView(
        duration=format_duration(duration) if duration else MISSING,
        agent_share=agent_share,
        customer_share=customer_share,
        silence_share=(
            int(round(100 * float(speech["silence_share"])))
            if speech.get("silence_share") is not None
            else max(0, 100 - agent_share - customer_share)
        ),
        talk_ratio=_ratio(speech.get("talk_to_listen")),
        # The talk-to-listen ratio is the panel's headline, so the grid leaves it out.
        stats=[st for st in speech_stats(speech) if st.key != "talk_to_listen"] if speech else [],
        gaps=gap_views(speech) if speech else [],
        speaker_mode=SPEAKER_MODES.get(mode, mode or MISSING),
        mono=mode == "mono",
        asr=engine or MISSING,
        redactions=int(details.get("redactions") or 0),
        redaction_text=redaction_text(
            int(details.get("redactions") or 0), details.get("redaction_kinds") or {}
        ),
        role_swaps=int(details.get("role_swaps") or 0),
        speaker_checks=_turns_to_check(len(details.get("speaker_checks") or {})),
        measured=bool(speech),
        has_audio=bool(details.get("has_audio")),
    )


def _turns_to_check(count: int) -> str:
    if count <= 0:
        return ""
    return f"{count} {'turn' if count == 1 else 'turns'} to check"


def audio_path(external_id: str) -> str:
    """Where the web app serves a call's (redacted) recording."""
    return f"/api/audio/{quote(external_id, safe='')}"


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
    """A turn's text as plain and marked segments (one per evidence span), with redaction
    placeholders ("[CARD]") in the plain text split out; joined back they give the text."""
    segments: list[Segment] = []
    cursor = 0
    for start, end in merge_spans(spans, len(text)):
        if start > cursor:
            segments.extend(_placeholders(text[cursor:start]))
        segments.append(Segment(text=text[start:end], mark=True))
        cursor = end
    if cursor < len(text) or not segments:
        segments.extend(_placeholders(text[cursor:]))
    return segments


def _placeholders(text: str) -> list[Segment]:
    """Plain `text` as segments with each redaction placeholder on its own."""
    out: list[Segment] = []
    cursor = 0
    for match in PLACEHOLDER_RE.finditer(text):
        if match.start() > cursor:
            out.append(Segment(text=text[cursor : match.start()]))
        out.append(Segment(text=match.group(), redaction=True))
        cursor = match.end()
    if cursor < len(text) or not out:
        out.append(Segment(text=text[cursor:]))
    return out


def evidence_spans(view: dict, criterion_id: str) -> dict[int, list[tuple[int, int]]]:
    """The selected criterion's evidence as {turn index: [(start, end), ...]}."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for c in view.get("criteria", []):
        if c["id"] == criterion_id:
            for e in c.get("evidence") or []:
                spans.setdefault(int(e["turn"]), []).append((int(e["start"]), int(e["end"])))
    return spans


def speaker_check_text(uncertain_words: int) -> str:
    """The note on a turn whose speaker the audio does not make clear ("" when it does)."""
    if uncertain_words <= 0:
        return ""
    words = "1 word" if uncertain_words == 1 else f"{uncertain_words} words"
    return f"Check the speaker: the voice is unclear on {words}"


def turn_views(
    view: dict, criterion_id: str = "", checks: dict[int, int] | None = None
) -> list[TurnView]:
    """The transcript, with the evidence of `criterion_id` (if any) split out as marks, and the
    turns whose speaker to check (`checks`: turn index -> unclear words, from `call_details`)."""
    spans = evidence_spans(view, criterion_id) if criterion_id else {}
    checks = checks or {}
    return [
        TurnView(
            index=i,
            number=i + 1,
            speaker=t["speaker"],
            label=SPEAKER_LABELS.get(t["speaker"], t["speaker"].capitalize()),
            time=format_seconds(t.get("start")),
            start=float(t.get("start") or 0.0),
            seekable=t.get("start") is not None,
            highlighted=bool(merge_spans(spans.get(i, []), len(t["text"]))),
            segments=split_text(t["text"], spans.get(i, [])),
            speaker_check=speaker_check_text(checks.get(i, 0)),
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


# --- Role-play practice ------------------------------------------------------------------------

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
    """A scenario in the practice library, with the selected trainee's results on it."""

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


def practice_href(scenario_id: str, trainee: str = "") -> str:
    """The practice page of a scenario, for a trainee."""
    base = f"/practice/{quote(scenario_id, safe='')}"
    return f"{base}?{urlencode({'trainee': trainee})}" if trainee else base


def practice_home_href(trainee: str = "") -> str:
    """The practice library (and history) of a trainee."""
    return f"/practice?{urlencode({'trainee': trainee})}" if trainee else "/practice"


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


def scenario_cards(
    library: Iterable[dict], progress: dict | None, trainee: str
) -> list[ScenarioCard]:
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
                href=practice_href(brief["id"], trainee),
            )
        )
    return cards


def attempt_rows(
    attempts: Iterable[dict], titles: dict[str, str], trainee: str
) -> list[AttemptRow]:
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
            href=practice_href(a["scenario"], trainee),
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
