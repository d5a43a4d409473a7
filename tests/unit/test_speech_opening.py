"""A call's opening line that Whisper skipped is transcribed again on its own."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.speech.engines.base import SAMPLE_RATE, Segment, Transcript, Word
from trainer.speech.pipeline import recover_opening

from ..speech_synth import require_espeak, speak


class ScriptedEngine:
    """Returns `reply` (times relative to the clip) and records what it was given."""

    name, model_name = "scripted", "none"

    def __init__(self, reply: list[Segment]):
        self.reply, self.calls = reply, []

    def transcribe(self, samples, progress=None):
        self.calls.append(len(samples) / SAMPLE_RATE)
        return Transcript(tuple(self.reply), len(samples) / SAMPLE_RATE, "scripted", "none")


def segment(text: str, start: float, probability: float = 0.9) -> Segment:
    words = tuple(
        Word(w, start + 0.3 * i, start + 0.3 * i + 0.25, probability)
        for i, w in enumerate(text.split())
    )
    return Segment(text, words[0].start, words[-1].end, words)


@pytest.fixture(scope="module")
def opening(tmp_path_factory):
    """1 s of silence, the greeting, 2 s of silence, then the line Whisper did hear (at ~5 s)."""
    require_espeak()
    greeting = speak("Bright Mobile, Mark speaking.", "agent", tmp_path_factory.mktemp("open"))
    silence = np.zeros(SAMPLE_RATE, np.int16)
    later = np.zeros(4 * SAMPLE_RATE, np.int16)
    samples = np.concatenate([silence, greeting, silence, silence, later])
    first = (len(silence) * 3 + len(greeting)) / SAMPLE_RATE
    heard = Transcript((segment("Hello I am calling about my bill", first),), 10.0, "x", "y")
    return samples, heard, first


def test_speech_opening_skipped_greeting_is_put_back(opening):
    samples, heard, first = opening
    engine = ScriptedEngine([segment("Bright Mobile, Mark speaking.", 0.5)])
    fixed = recover_opening(engine, samples, heard)
    assert len(engine.calls) == 1 and engine.calls[0] < first
    texts = [s.text for s in fixed.segments]
    assert texts == ["Bright Mobile, Mark speaking.", "Hello I am calling about my bill"]
    greeting_words = fixed.segments[0].words
    # Times are the call's, not the clip's: the greeting starts about where it was spoken.
    assert 0.6 <= greeting_words[0].start <= 1.6 and greeting_words[-1].end <= first


def test_speech_opening_unsure_words_are_not_added(opening):
    samples, heard, _ = opening
    engine = ScriptedEngine([segment("thank you", 0.5, probability=0.1)])
    assert recover_opening(engine, samples, heard) is heard


def test_speech_opening_silence_before_the_first_word_is_left_alone():
    samples = np.zeros(8 * SAMPLE_RATE, np.int16)
    heard = Transcript((segment("Hello there", 5.0),), 8.0, "x", "y")
    engine = ScriptedEngine([segment("ghost words", 0.5)])
    assert recover_opening(engine, samples, heard) is heard
    assert engine.calls == []


def test_speech_words_are_held_to_where_the_channel_has_voice(opening):
    from trainer.speech.pipeline import fit_words_to_voice

    samples, _, first = opening  # the greeting is voiced from about 1.0 s to `first` - 2 s
    spoken_end = first - 2.0
    stretched = Word("speaking", spoken_end - 0.4, spoken_end + 1.5)  # end runs into the pause
    ghost = Word("thanks", spoken_end + 1.2, spoken_end + 1.6)  # nothing was said there
    heard = Transcript(
        (
            Segment(
                "Mark speaking thanks",
                1.0,
                spoken_end + 1.6,
                (Word("Mark", 1.0, 1.3), stretched, ghost),
            ),
        ),
        10.0,
        "x",
        "y",
    )
    fitted = fit_words_to_voice(samples, heard)
    (segment,) = fitted.segments
    assert [w.text for w in segment.words] == ["Mark", "speaking"]
    assert segment.text == "Mark speaking"
    assert segment.words[1].end <= spoken_end + 0.1  # trimmed back to the voice
    assert segment.words[1].start == stretched.start
