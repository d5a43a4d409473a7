"""A transcript as the review shows it: each turn's text split into plain, evidence (marked) and
redaction-placeholder segments. Pure functions; the component is `components/transcript.py`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from trainer.privacy.config import PLACEHOLDERS
from trainer.web.formatting import format_seconds

SPEAKER_LABELS = {"agent": "Agent", "customer": "Customer", "system": "System"}

# Redaction placeholders ("[CARD]") inside transcript text, shown as badges.
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in sorted(PLACEHOLDERS)))


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
