"""Write a copy of a call's audio with the redacted stretches silenced."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from trainer.speech.audio import SAMPLE_RATE, decode

# A little margin either side: word timestamps are approximate and digits must not leak.
MARGIN_SECONDS = 0.15


def silence_ranges(samples: np.ndarray, ranges: list[dict], margin: float = MARGIN_SECONDS) -> int:
    """Zero `samples` (channels, n) inside each {start, end} range; return samples silenced."""
    silenced = 0
    length = samples.shape[1]
    for item in ranges:
        start = max(0, int((float(item["start"]) - margin) * SAMPLE_RATE))
        end = min(length, int((float(item["end"]) + margin) * SAMPLE_RATE))
        if end > start:
            samples[:, start:end] = 0
            silenced += end - start
    return silenced


def export_redacted(source: str | Path, ranges: list[dict], out: str | Path) -> Path:
    """Decode `source`, silence `ranges`, and write a 16 kHz WAV to `out`."""
    samples = decode(source).samples  # freshly decoded: ours to silence in place
    silence_ranges(samples, ranges)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(samples.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        # A minute at a time: interleaving a two-hour call in one go would copy it twice.
        step = 60 * SAMPLE_RATE
        for first in range(0, samples.shape[1], step):
            block = samples[:, first : first + step]
            handle.writeframes(np.ascontiguousarray(block.T).astype("<i2").tobytes())
    return out
