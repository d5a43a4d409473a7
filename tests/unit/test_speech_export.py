"""The redacted playback copy: redacted stretches silenced, everything else sample for sample."""

from __future__ import annotations

import wave

import numpy as np

from trainer.speech.audio import SAMPLE_RATE
from trainer.speech.export import MARGIN_SECONDS, export_redacted


def test_speech_export_silences_ranges_and_keeps_the_rest_across_minutes(tmp_path):
    rng = np.random.default_rng(7)
    seconds = 130  # more than two of the minute-long blocks it is written in
    samples = rng.integers(-8000, 8000, (2, seconds * SAMPLE_RATE), dtype=np.int16)
    source = tmp_path / "call.wav"
    with wave.open(str(source), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(samples.T.astype("<i2").tobytes())
    out = export_redacted(source, [{"start": 59.5, "end": 61.0}], tmp_path / "out.wav")
    with wave.open(str(out)) as handle:
        assert handle.getnchannels() == 2 and handle.getframerate() == SAMPLE_RATE
        written = np.frombuffer(handle.readframes(handle.getnframes()), "<i2").reshape(-1, 2).T
    a = int((59.5 - MARGIN_SECONDS) * SAMPLE_RATE)
    b = int((61.0 + MARGIN_SECONDS) * SAMPLE_RATE)
    assert (written[:, a:b] == 0).all()
    assert np.array_equal(written[:, :a], samples[:, :a])
    assert np.array_equal(written[:, b:], samples[:, b:])
