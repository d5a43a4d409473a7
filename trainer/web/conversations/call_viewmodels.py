"""A call's speech analytics panel and its recording's address, shaped from `call_details`."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from trainer.web.formatting import MISSING, format_duration, format_seconds

SPEAKER_MODES = {
    "stereo": "Stereo: one channel per speaker",
    "mono": "Mono: voices told apart",
}


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
    mended = int(asr.get("loops_mended") or 0)
    loops = f"{mended} repetition loop{'s' if mended != 1 else ''} mended" if mended else None
    engine = " · ".join(str(v) for v in (asr.get("engine"), asr.get("model"), loops) if v)
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
    return f"/api/v1/audio/{quote(external_id, safe='')}"
