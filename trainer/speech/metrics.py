"""Speech analytics of a call from its timed turns: talk, silence, overtalk, pace, holds.

Speech intervals come from word timestamps (words closer than a short pause are one stretch), so
the figures need no second pass over the audio.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from trainer.speech.speakers import SpeakerTurn

_JOIN_GAP = 0.5  # pauses shorter than this are part of speaking
DEAD_AIR_SECONDS = 10.0
HOLD_MIN_SECONDS = 5.0
_HOLD_PHRASES = re.compile(
    r"\b(on (a )?(short |quick |brief )?hold|hold (on|the line)|bear with me|one moment|"
    r"just a moment|give me a (moment|minute|second)|let me (check|look|find|pull))\b",
    re.IGNORECASE,
)

Interval = tuple[float, float]


def speech_intervals(turns: list[SpeakerTurn], speaker: str) -> list[Interval]:
    """Merged stretches of speech of one speaker, from word timestamps."""
    spans = sorted((w.start, w.end) for t in turns if t.speaker == speaker for w in t.words)
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] <= _JOIN_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _total(intervals: list[Interval]) -> float:
    return sum(b - a for a, b in intervals)


def _union(*groups: list[Interval]) -> list[Interval]:
    merged: list[list[float]] = []
    for start, end in sorted(i for g in groups for i in g):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _intersection(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end > start:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@dataclass
class Gap:
    """A stretch of silence between speech, with the turn before it."""

    start: float
    end: float
    after_turn: int
    hold: bool

    @property
    def seconds(self) -> float:
        """Length of the gap."""
        return self.end - self.start


@dataclass
class SpeechMetrics:
    """Everything measured about one call (seconds unless named otherwise)."""

    duration: float
    talk_seconds: dict[str, float]
    talk_to_listen: float | None
    silence_share: float
    longest_silence: float
    dead_air: list[dict] = field(default_factory=list)  # unannounced gaps over 10 s
    overtalk_count: int = 0
    overtalk_seconds: float = 0.0
    agent_interruptions: int = 0
    words_per_minute: dict[str, float | None] = field(default_factory=dict)
    longest_agent_monologue: float = 0.0
    holds: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready, rounded to centiseconds."""
        return _rounded(asdict(self))


def _rounded(value):
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _gaps(turns: list[SpeakerTurn], speech: list[Interval], duration: float) -> list[Gap]:
    gaps: list[Gap] = []
    edges = [(0.0, 0.0), *speech, (duration, duration)]
    for (_, prev_end), (next_start, _) in zip(edges, edges[1:], strict=False):
        if next_start - prev_end <= 0:
            continue
        before = [i for i, t in enumerate(turns) if t.start <= prev_end]
        index = before[-1] if before else -1
        hold = (
            index >= 0
            and turns[index].speaker == "agent"
            and bool(_HOLD_PHRASES.search(turns[index].text))
        )
        gaps.append(Gap(prev_end, next_start, index, hold))
    return gaps


def measure(turns: list[SpeakerTurn], duration: float) -> SpeechMetrics:
    """Speech analytics of a call whose turns already carry roles (agent/customer)."""
    agent = speech_intervals(turns, "agent")
    customer = speech_intervals(turns, "customer")
    talk = {"agent": _total(agent), "customer": _total(customer)}
    anyone = _union(agent, customer)
    duration = max(duration, anyone[-1][1] if anyone else 0.0)
    silence = max(0.0, duration - _total(anyone))
    gaps = _gaps(turns, anyone, duration)
    overlap = _intersection(agent, customer)
    interruptions = sum(
        1 for start, _ in agent if any(c_start < start < c_end - 0.2 for c_start, c_end in customer)
    )
    words = {
        role: sum(len(t.words) for t in turns if t.speaker == role)
        for role in ("agent", "customer")
    }
    wpm = {role: (words[role] / (talk[role] / 60) if talk[role] > 1 else None) for role in words}
    monologue = max((b - a for a, b in _agent_stretches(agent, customer)), default=0.0)
    return SpeechMetrics(
        duration=duration,
        talk_seconds=talk,
        talk_to_listen=(talk["agent"] / talk["customer"]) if talk["customer"] > 0 else None,
        silence_share=silence / duration if duration else 0.0,
        longest_silence=max((g.seconds for g in gaps), default=0.0),
        dead_air=[
            {"start": g.start, "end": g.end, "seconds": g.seconds, "after_turn": g.after_turn}
            for g in gaps
            if g.seconds > DEAD_AIR_SECONDS and not g.hold
        ],
        overtalk_count=len(overlap),
        overtalk_seconds=_total(overlap),
        agent_interruptions=interruptions,
        words_per_minute=wpm,
        longest_agent_monologue=monologue,
        holds=[
            {"start": g.start, "end": g.end, "seconds": g.seconds, "after_turn": g.after_turn}
            for g in gaps
            if g.hold and g.seconds >= HOLD_MIN_SECONDS
        ],
    )


def _agent_stretches(agent: list[Interval], customer: list[Interval]) -> list[Interval]:
    """Agent speech runs not broken by the customer speaking (pauses inside are kept)."""
    stretches: list[list[float]] = []
    for start, end in agent:
        interrupted = stretches and any(
            stretches[-1][1] <= c_start < start for c_start, _ in customer
        )
        if stretches and not interrupted:
            stretches[-1][1] = end
        else:
            stretches.append([start, end])
    return [(a, b) for a, b in stretches]
