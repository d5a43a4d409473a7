"""Synthetic two-voice calls for tests: espeak-ng speaks each line, numpy lays out the timeline.

Voices differ in pitch as two real people do, so voice embeddings can tell them apart.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import missing_service

RATE = 16_000
VOICES = {
    "agent": ["-v", "en-us+m3", "-p", "30", "-s", "155"],
    "customer": ["-v", "en-us+f4", "-p", "80", "-s", "150"],
}


def require_espeak() -> None:
    """Skip (or fail under TRAINER_REQUIRE_SERVICES=1) when espeak-ng is not installed."""
    if shutil.which("espeak-ng") is None:
        missing_service("espeak-ng is not installed (apt-get install espeak-ng)")


def speak(text: str, speaker: str, workdir: Path) -> np.ndarray:
    """One line as 16 kHz int16 samples."""
    out = workdir / f"line-{abs(hash((text, speaker)))}.wav"
    subprocess.run(["espeak-ng", *VOICES[speaker], "-w", str(out), text], check=True)
    with wave.open(str(out)) as handle:
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    positions = np.arange(0, len(samples), rate / RATE)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)


def make_call(
    lines: list[tuple[str, str]],
    path: Path,
    *,
    stereo: bool,
    gap: float = 0.6,
    pauses: dict[int, float] | None = None,
) -> list[tuple[str, float, float, str]]:
    """Write a call to `path` (stereo: agent left, customer right) and return the timeline
    (speaker, start, end, text) of each line. `pauses` adds extra silence before line i."""
    pytest.importorskip("numpy")
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    timeline = []
    t = 0.3
    cursor = np.zeros(int(t * RATE), dtype=np.int16)
    left.append(cursor)
    right.append(cursor.copy())
    for index, (speaker, text) in enumerate(lines):
        extra = (pauses or {}).get(index, 0.0)
        if extra:
            silence = np.zeros(int(extra * RATE), dtype=np.int16)
            left.append(silence)
            right.append(silence.copy())
            t += extra
        audio = speak(text, speaker, path.parent)
        quiet = np.zeros_like(audio)
        left.append(audio if speaker == "agent" else quiet)
        right.append(audio if speaker == "customer" else quiet)
        timeline.append((speaker, t, t + len(audio) / RATE, text))
        t += len(audio) / RATE + gap
        pad = np.zeros(int(gap * RATE), dtype=np.int16)
        left.append(pad)
        right.append(pad.copy())
    channels = np.stack([np.concatenate(left), np.concatenate(right)])
    if not stereo:
        channels = np.clip(channels.astype(np.int32).sum(axis=0), -32768, 32767)[None, :]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(channels.astype("<i2").T.tobytes())
    return timeline


GOOD_CALL = [
    ("agent", "Hello, thank you for calling Bluebird Bank, this is Sam. How can I help you today?"),
    ("customer", "Hi Sam. I was charged twice for my order and I am really frustrated."),
    ("agent", "I am so sorry about that. Can you confirm your name and the email on the account?"),
    (
        "customer",
        "Dana Ruiz. My card number is four one one one, one one one one, "
        "one one one one, one one one one.",
    ),
    (
        "agent",
        "Thank you Dana. I have refunded the duplicate charge. "
        "You will see it within three to five business days.",
    ),
    ("customer", "Perfect, thank you so much."),
    ("agent", "Is there anything else I can help with? Have a great day."),
]
