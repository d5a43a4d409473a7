"""Long calls are transcribed in windows cut at quiet moments, timestamps shifted back."""

import numpy as np

from trainer.speech.engines.base import SAMPLE_RATE, Segment, Transcript, Word
from trainer.speech.pipeline import _cut_points, transcribe_long


class CountingEngine:
    """A stand-in engine that reports one word at the middle of whatever it is given."""

    name, model_name = "counting", "none"

    def __init__(self):
        self.lengths = []

    def transcribe(self, samples, progress=None):
        self.lengths.append(len(samples))
        middle = len(samples) / SAMPLE_RATE / 2
        word = Word("word", middle, middle + 0.2)
        return Transcript((Segment("word", middle, middle + 0.2, (word,)),), len(samples), "c", "m")


def test_speech_long_call_is_cut_at_quiet_moments():
    rng = np.random.default_rng(0)
    seconds = 1500
    samples = (rng.standard_normal(seconds * SAMPLE_RATE) * 0.1).astype(np.float32)
    quiet = 590 * SAMPLE_RATE
    samples[quiet : quiet + SAMPLE_RATE // 5] = 0.0
    cuts = _cut_points(samples)
    assert cuts[0] == 0 and len(cuts) == 3  # 1500 s in windows of about 600 s
    assert quiet <= cuts[1] <= quiet + SAMPLE_RATE // 5


def test_speech_long_transcription_shifts_timestamps():
    samples = np.zeros(1500 * SAMPLE_RATE, dtype=np.float32)
    engine = CountingEngine()
    transcript = transcribe_long(engine, samples)
    assert len(engine.lengths) == 3 and max(engine.lengths) <= 610 * SAMPLE_RATE
    starts = [s.start for s in transcript.segments]
    first_len = engine.lengths[0] / SAMPLE_RATE
    assert starts[0] < first_len < starts[1] < starts[2] < 1500


def test_speech_short_call_is_one_window():
    engine = CountingEngine()
    transcribe_long(engine, np.zeros(60 * SAMPLE_RATE, dtype=np.float32))
    assert engine.lengths == [60 * SAMPLE_RATE]


def test_speech_long_int16_is_converted_one_window_at_a_time():
    seen = []

    class DtypeEngine(CountingEngine):
        def transcribe(self, samples, progress=None):
            seen.append((samples.dtype, float(np.abs(samples).max())))
            return super().transcribe(samples, progress)

    samples = np.full(1500 * SAMPLE_RATE, 16384, dtype=np.int16)
    transcribe_long(DtypeEngine(), samples)
    assert len(seen) == 3 and all(d == np.float32 and m == 0.5 for d, m in seen)
