"""Calls for the web tests, stored directly (no ASR): timed turns with word timestamps, speech
metrics measured from those words, a redaction placeholder, and a tiny WAV as the playback copy.

Also calls still queued or processing (with progress) and one that failed, with its reason.
"""

from __future__ import annotations

import math
import struct
import wave
from datetime import datetime
from pathlib import Path

from trainer.conversation import Conversation, Turn
from trainer.db.repository import find_conversation, store_conversation
from trainer.speech.engines.base import Word
from trainer.speech.metrics import measure
from trainer.speech.speakers import SpeakerTurn

# (speaker, text, start); each word lasts 0.3 s with 0.1 s between words. The agent talks more.
CALL_TURNS = [
    ("agent", "Thanks for calling Bluebird Bank, this is Sam. How can I help you today?", 0.5),
    ("customer", "Hi, my card [CARD] was charged twice and I am annoyed.", 6.0),
    (
        "agent",
        "I am sorry about that, I can hear how frustrating this is. Let me look at the "
        "account and reverse the duplicate charge for you right now.",
        11.0,
    ),
    ("customer", "Thank you.", 25.0),
    (
        "agent",
        "Done, the refund lands in three to five business days. Is there anything else I "
        "can help with today? Have a great day!",
        27.0,
    ),
]
DURATION = 40.0
SAMPLE_RATE = 8000


def timed_words(text: str, start: float) -> list[tuple[str, float, float]]:
    """The words of `text`, 0.3 s each with 0.1 s gaps, from `start`."""
    return [
        (word, round(start + 0.4 * i, 2), round(start + 0.4 * i + 0.3, 2))
        for i, word in enumerate(text.split())
    ]


def call_turns(turns=CALL_TURNS) -> list[Turn]:
    """Turns with their words and times."""
    out = []
    for speaker, text, start in turns:
        words = timed_words(text, start)
        out.append(Turn(speaker, text, words[0][1], words[-1][2], tuple(words)))
    return out


def speech_metrics(turns: list[Turn], duration: float = DURATION) -> dict:
    """What the speech pipeline measures for these turns."""
    timed = [SpeakerTurn(t.speaker, [Word(w, a, b) for w, a, b in t.words]) for t in turns]
    return measure(timed, duration).as_dict()


def write_wav(path: Path, seconds: float = DURATION) -> Path:
    """A quiet 8 kHz mono tone, `seconds` long: something a browser can load and seek in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * SAMPLE_RATE)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(
            b"".join(
                struct.pack("<h", int(800 * math.sin(2 * math.pi * 220 * i / SAMPLE_RATE)))
                for i in range(frames)
            )
        )
    return path


def store_call(
    session,
    external_id: str,
    playback: Path | None,
    *,
    agent: str = "Sam Lee",
    customer: str = "Helen Morris",
    speaker_mode: str = "mono",
    day: int = 7,
):
    """A transcribed call as `transcribe_stored` leaves it (status 'ingested', not yet scored)."""
    turns = call_turns()
    card = turns[1].text.index("[CARD]")
    metadata = {
        "format": "audio/wav",
        "audio": {"format": "wav", "channels": 1, "sample_rate": SAMPLE_RATE},
        "speaker_mode": speaker_mode,
        "asr": {"engine": "faster-whisper", "model": "tiny.en"},
        "speech": speech_metrics(turns),
        "redactions": [{"turn": 1, "kind": "card", "start": 7.2, "end": 7.5, "at": card}],
        # Mono diarization flags the turns whose voice the audio does not make clear.
        "speaker_checks": (
            [{"turn": 3, "uncertain_words": 2, "words": 2}] if speaker_mode == "mono" else []
        ),
        "progress": 1.0,
        "stage": "done",
    }
    if playback is not None:
        metadata["audio"]["playback"] = str(playback)
    conversation = Conversation(
        external_id=external_id,
        turns=turns,
        channel="call",
        agent=agent,
        customer=customer,
        started_at=datetime(2026, 3, day, 11, 0),
        source=f"/recordings/{external_id}.wav",
        metadata=metadata,
    )
    record = store_conversation(session, conversation).record
    record.duration_seconds = DURATION
    session.flush()
    return record


def store_pending_call(
    session,
    external_id: str,
    status: str = "processing",
    progress: float = 0.45,
    stage: str = "left channel",
    reason: str | None = None,
    *,
    agent: str = "Sam Lee",
    day: int = 8,
):
    """A call registered but not transcribed: queued, processing (with progress) or failed."""
    conversation = Conversation(
        external_id=external_id,
        turns=[],
        channel="call",
        agent=agent,
        customer="Olga Berg",
        started_at=datetime(2026, 3, day, 12, 0),
        source=f"/recordings/{external_id}.opus",
    )
    store_conversation(session, conversation)
    record = find_conversation(session, external_id)
    record.status, record.status_reason = status, reason
    record.extra = {"progress": progress, "stage": stage}
    session.flush()
    return record


def finish_call(session, external_id: str) -> None:
    """What a finished transcription leaves: turns, metrics, status 'ingested'."""
    record = find_conversation(session, external_id)
    turns = call_turns()
    from trainer.db.models import TurnRecord

    record.turns = [
        TurnRecord(
            position=i,
            speaker=t.speaker,
            text=t.text,
            start=t.start,
            end=t.end,
            words=[list(w) for w in t.words],
        )
        for i, t in enumerate(turns)
    ]
    record.duration_seconds = DURATION
    record.extra = {
        "speaker_mode": "stereo",
        "asr": {"engine": "faster-whisper", "model": "tiny.en"},
        "speech": speech_metrics(turns),
        "redactions": [],
        "progress": 1.0,
        "stage": "done",
    }
    record.status, record.status_reason = "ingested", None
