"""Whisper repetition loops: found per passage, read again with numbers spelled, trimmed if they
persist; the words kept never leave the audio they came from."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.speech.engines.base import (
    DEFAULT_DECODING,
    SAMPLE_RATE,
    Decoding,
    Segment,
    Transcript,
    Word,
    numeral_tokens,
)
from trainer.speech.loops import (
    MAX_REPEATED_DIGITS,
    SECOND_READING,
    LoopRepair,
    compression_ratio,
    coverage,
    longest_repeat,
    loop_reason,
    needs_second_look,
    recover_loops,
    spoken_units,
    trim_loop,
)

ISSUE_LOOP = "Sure, it is " + "4-1-1-1-" * 35 + "a relief."
CARD_WORDS = "four one one one, one one one one, one one one one, one one one one"


def segment(text: str, start: float, end: float | None = None, probability: float = 0.9):
    """A segment whose words are spread evenly from `start` to `end` (0.3 s a word by default)."""
    tokens = text.split()
    end = start + 0.3 * len(tokens) if end is None else end
    step = (end - start) / len(tokens)
    words = tuple(
        Word(t, start + i * step, start + (i + 0.8) * step, probability)
        for i, t in enumerate(tokens)
    )
    return Segment(text, start, end, words)


class DecodingEngine:
    """Answers the first reading with `first`, a spelled second reading with `second` (times
    relative to the clip it is given), and records every call."""

    name, model_name = "scripted", "none"

    def __init__(self, second):
        self.second = second
        self.calls: list[tuple[float, Decoding]] = []

    def transcribe(self, samples, progress=None, decoding: Decoding = DEFAULT_DECODING):
        duration = len(samples) / SAMPLE_RATE
        self.calls.append((duration, decoding))
        reply = self.second(duration) if callable(self.second) else self.second
        return Transcript(tuple(reply), duration, self.name, self.model_name)


def voice_like(seconds: float) -> np.ndarray:
    """A clip the voice-activity detector takes for speech: a 120 Hz buzz with its harmonics,
    its loudness rising and falling four times a second like syllables."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    buzz = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 30))
    syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    return (0.2 * buzz * syllables / np.abs(buzz).max() * 32767).astype(np.int16)


# --- what counts as a loop -------------------------------------------------------------------


def test_spoken_units_count_a_digit_said_as_one_word():
    assert spoken_units("It is 4-1-1-1, thanks") == ["it", "is", "4", "1", "1", "1", "thanks"]
    assert spoken_units("four one one one") == ["4", "1", "1", "1"]
    assert spoken_units("") == []


def test_longest_repeat_finds_the_phrase_said_over_and_over():
    assert longest_repeat("a b thank you thank you thank you c".split()) == (("thank", "you"), 3)
    assert longest_repeat(list("x1111y")) == (("1",), 4)
    assert longest_repeat("no repeats here".split()) == ((), 0)


def test_the_issue_s_loop_is_one():
    reason = loop_reason(segment(ISSUE_LOOP, 4.0, 12.0))
    assert reason and ("a second" in reason or "times running" in reason)


def test_a_card_number_read_out_at_speaking_pace_is_not_a_loop():
    text = f"Sure, it is {CARD_WORDS}."
    assert loop_reason(segment(text, 4.0, 11.0)) is None
    digits = "Sure, it is 4111 1111 1111 1111."
    assert loop_reason(segment(digits, 4.0, 11.0)) is None


def test_too_many_digits_running_is_a_loop_even_at_a_plausible_pace():
    text = "it is " + "-1 " * (MAX_REPEATED_DIGITS + 4)
    assert (
        loop_reason(segment(text, 0.0, 12.0))
        == f"one digit {MAX_REPEATED_DIGITS + 4} times running"
    )


def test_a_phrase_repeated_past_what_people_say_is_a_loop():
    text = "okay " + "thank you so much " * 6
    assert loop_reason(segment(text, 0.0, 30.0)) == "a 4-word phrase 6 times running"
    assert loop_reason(segment("thank you thank you so much", 0.0, 3.0)) is None


def test_more_words_a_second_than_anyone_says_is_a_loop():
    text = (
        "I called about the bill last week and nobody rang me back, so now I would like "
        "someone to tell me when the refund for the double charge is coming"
    )
    assert "a second" in loop_reason(segment(text, 0.0, 3.0))
    assert loop_reason(segment(text, 0.0, 12.0)) is None


def test_a_loop_s_reason_quotes_nothing_that_was_said():
    # Reasons are stored beside the call unredacted: no digit or word of the loop in them.
    digits = loop_reason(segment("my card is " + "4111 " * 8, 0.0, 12.0))
    words = loop_reason(segment("it is " + "dana ruiz " * 7, 0.0, 12.0))
    assert digits == "a 4-word phrase 8 times running"
    assert words == "a 2-word phrase 7 times running"
    assert "4111" not in digits and "dana" not in words


def test_text_that_compresses_like_a_loop_is_one():
    text = "we can look at that for you and " * 5 + "then see"
    assert compression_ratio(text) > 2.4
    assert "compresses" in loop_reason(segment(text, 0.0, 40.0))
    assert compression_ratio("A perfectly ordinary sentence about a refund.") < 2.4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It is five five five, zero one four eight, two two seven.", "10 digits"),
        ("My surname is Ruiz, R-U-I-Z.", "one by one"),
        ("It is 4 -1 -1 -L -3, apartment 12.", "one by one"),
        ("A well-to-do customer took the 2-for-1 deal by e-mail.", None),
        ("The refund takes three to five days.", None),
    ],
)
def test_long_numbers_and_dashed_readouts_get_a_second_look(text, expected):
    reason = needs_second_look(segment(text, 0.0, 8.0))
    assert (reason is None) if expected is None else (expected in reason)


def test_trim_loop_keeps_what_the_time_allows():
    looping = segment("it is " + "one " * 60 + "okay", 10.0, 14.0)
    trimmed = trim_loop(looping)
    assert trimmed.words and len(trimmed.words) <= 4 * 6
    assert sum(w.text == "one" for w in trimmed.words) <= MAX_REPEATED_DIGITS
    assert trimmed.text == " ".join(w.text for w in trimmed.words)
    assert all(10.0 <= w.start <= w.end <= 14.0 for w in trimmed.words)
    assert loop_reason(trimmed) is None


def test_trim_loop_cuts_a_loop_held_in_one_word():
    word = Word("4" + "-1" * 40 + ".", 2.0, 6.0)
    trimmed = trim_loop(Segment(f"is {word.text}", 1.5, 6.0, (Word("is", 1.5, 1.9), word)))
    assert trimmed.text == "is 4" + "-1" * (MAX_REPEATED_DIGITS - 1)
    assert loop_reason(trimmed) is None


def test_trim_loop_without_word_times_keeps_the_first_words():
    bare = Segment("one " * 100, 0.0, 2.0)
    assert len(trim_loop(bare).text.split()) == 12


# --- recovery ---------------------------------------------------------------------------------


def channel(seconds: float = 30.0) -> np.ndarray:
    return voice_like(seconds)


def test_a_clean_transcript_is_left_alone_without_reading_again():
    first = Transcript(
        (segment("Hello, how can I help?", 1.0), segment("Thank you so much.", 5.0)),
        30.0,
        "scripted",
        "none",
    )
    engine = DecodingEngine([])
    mended, repairs = recover_loops(engine, channel(), first)
    assert mended == first and repairs == [] and engine.calls == []


def test_a_loop_is_read_again_with_numbers_spelled_and_the_next_sentence_restored():
    loop = segment(ISSUE_LOOP, 4.0, 16.0)
    before = segment("Can I have the card number?", 0.5, 2.5)
    after = segment("Goodbye now.", 25.0)
    first = Transcript((before, loop, after), 30.0, "scripted", "none")
    spelled = [
        segment(f"Sure, it is {CARD_WORDS}.", 0.2, 7.5),
        segment("Okay, thank you so much. That is a relief.", 8.0, 11.5),
    ]
    engine = DecodingEngine(spelled)
    mended, repairs = recover_loops(engine, channel(), first)
    texts = [s.text for s in mended.segments]
    assert texts[0] == before.text and texts[-1] == after.text
    assert any("That is a relief." in t for t in texts)
    assert not any(loop_reason(s) for s in mended.segments)
    assert [decoding for _, decoding in engine.calls] == [SECOND_READING]
    assert engine.calls[0][0] == pytest.approx(12.4, abs=0.01)  # the loop's span, 0.2 s padded
    assert len(repairs) == 1 and repairs[0].action == "reread"
    assert repairs[0].start == loop.start and repairs[0].end == loop.end
    assert repairs[0].reason.endswith("a second)")


def test_words_of_a_second_reading_stay_inside_the_span_read_again():
    loop = segment(ISSUE_LOOP, 4.0, 12.0)
    next_line = segment("Next line.", 13.5)
    first = Transcript((loop, next_line), 30.0, "scripted", "none")
    # The second reading claims words far outside the 8.4 s clip it was given.
    engine = DecodingEngine([segment("one two three four five six", 0.0, 20.0)])
    mended, _ = recover_loops(engine, channel(), first)
    reread = mended.segments[0]
    assert all(3.8 <= w.start <= w.end <= 12.2 for w in reread.words)
    assert mended.segments[-1] == next_line


def test_a_loop_split_over_segments_without_a_pause_is_found():
    halves = (
        segment("okay " + "thank you so much " * 3, 4.0, 8.0),
        segment("thank you so much " * 3 + "bye", 8.0, 12.0),
    )
    assert not any(needs_second_look(s) for s in halves)
    first = Transcript(halves, 30.0, "scripted", "none")
    engine = DecodingEngine([segment("okay thank you so much bye", 0.2, 7.0)])
    mended, repairs = recover_loops(engine, channel(), first)
    assert engine.calls[0][0] == pytest.approx(8.4, abs=0.01)  # both halves, read as one
    assert len(engine.calls) == 1 and repairs[0].action == "reread"
    assert "6 times running" in repairs[0].reason
    assert [s.text for s in mended.segments] == ["okay thank you so much bye"]


def test_when_every_reading_loops_the_loop_is_trimmed():
    loop = segment("it is " + "one " * 80, 4.0, 10.0)
    first = Transcript((loop,), 30.0, "scripted", "none")
    engine = DecodingEngine(lambda duration: [segment("one " * 60, 0.0, duration)])
    mended, repairs = recover_loops(engine, channel(), first)
    assert repairs == [LoopRepair(4.0, 10.0, repairs[0].reason, "trimmed")]
    assert not any(loop_reason(s) for s in mended.segments)
    assert all(4.0 <= w.start <= w.end <= 10.0 for s in mended.segments for w in s.words)


def test_a_loop_free_long_number_keeps_the_reading_the_model_is_surer_of():
    number = segment("It is five five five, zero one four eight, two two seven.", 2.0, 7.0)
    first = Transcript((number,), 30.0, "scripted", "none")
    unsure = DecodingEngine([segment("It is I'm I'm zero one four eight", 0.2, 5.0, 0.5)])
    mended, repairs = recover_loops(unsure, channel(), first)
    assert mended.segments == (number,) and repairs == [] and unsure.calls
    sure = DecodingEngine(
        [segment("It is five five five zero one four eight two two seven", 0.2, 5.0, 0.95)]
    )
    mended, repairs = recover_loops(sure, channel(), first)
    assert mended.segments[0].text.startswith("It is five five five zero")
    assert repairs[0].reason == "a number of 10 digits read out"


def test_loop_repair_as_stored_names_the_side_only_on_stereo():
    repair = LoopRepair(1.234, 5.678, "why", "reread")
    assert repair.as_dict() == {"start": 1.23, "end": 5.68, "reason": "why", "action": "reread"}
    assert LoopRepair(1, 2, "why", "trimmed", side="right").as_dict()["side"] == "right"


def test_numeral_tokens_are_those_with_digits_or_currency():
    vocabulary = ["hello", " 4", "-1", " one", "$", "£5", "€", "%", " four"]
    assert numeral_tokens(lambda ids: vocabulary[ids[0]], len(vocabulary)) == [1, 2, 4, 5, 6, 7]


# --- real speech, both engines ----------------------------------------------------------------

READOUT_LINES = [
    "Sure. It is four one one one, one one one one, one one one one, one one one one.",
    "Okay, thank you so much. That is a relief.",
    "My surname is Ruiz, R U I Z, and I live at four one one one Elm Street.",
    "Please send the new card there.",
]
READOUT_VOICES = {
    "f4-high": ["-v", "en-us+f4", "-p", "80", "-s", "150"],
    "m6-low": ["-v", "en+m6", "-p", "40", "-s", "150"],
}


@pytest.fixture(scope="module")
def readout_channels(tmp_path_factory):
    """One customer channel per voice: the lines above with pauses between them, and where each
    line lies (seconds)."""
    import subprocess
    import wave

    from ..speech_synth import require_espeak

    require_espeak()
    folder = tmp_path_factory.mktemp("readouts")
    channels = {}
    for name, voice in READOUT_VOICES.items():
        parts, spans, t = [np.zeros(SAMPLE_RATE // 2, np.int16)], [], 0.5
        for index, text in enumerate(READOUT_LINES):
            out = folder / f"{name}-{index}.wav"
            subprocess.run(["espeak-ng", *voice, "-w", str(out), text], check=True)
            with wave.open(str(out)) as handle:
                rate = handle.getframerate()
                raw = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
            line = np.interp(
                np.arange(0, len(raw), rate / SAMPLE_RATE), np.arange(len(raw)), raw
            ).astype(np.int16)
            spans.append((t, t + len(line) / SAMPLE_RATE))
            pause = np.zeros(int(1.5 * SAMPLE_RATE), np.int16)
            parts += [line, pause]
            t += len(line) / SAMPLE_RATE + 1.5
        channels[name] = (np.concatenate(parts), spans)
    return channels


# Read in a fresh process: faster-whisper's reading of the same audio was seen to differ with
# what the process had transcribed before (a full suite run differs from this file alone), so the
# check runs on what a worker that starts on the call would hear.
READ_CHANNEL = """
import json, sys
import numpy as np
from trainer.speech.engines.base import load_engine
from trainer.speech.pipeline import read_channel
repairs = []
t = read_channel(load_engine(sys.argv[1]), np.load(sys.argv[2]), None, repairs)
print(json.dumps({
    "segments": [[s.text, s.start, s.end, [[w.text, w.start, w.end] for w in s.words]]
                 for s in t.segments],
    "repairs": [r.as_dict() for r in repairs],
}))
"""


def read_in_fresh_process(engine_name: str, samples: np.ndarray, tmp_path_factory):
    """`read_channel` of `samples` by `engine_name` in a new Python process: (segments, repairs)."""
    import importlib.util
    import json
    import os
    import subprocess
    import sys

    from trainer.speech import models

    env = dict(os.environ)
    if engine_name == "openai-whisper":
        from trainer.speech.engines.openai_whisper import INSTALL_FIX

        from ..conftest import missing_service

        if importlib.util.find_spec("whisper") is None:
            missing_service(f"openai-whisper is not installed ({INSTALL_FIX})")
        env[models.MODELS_DIR_ENV] = str(tmp_path_factory.mktemp("models"))
    path = tmp_path_factory.mktemp("clip") / "samples.npy"
    np.save(path, samples)
    done = subprocess.run(
        [sys.executable, "-c", READ_CHANNEL, engine_name, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    segments = tuple(
        Segment(text, start, end, tuple(Word(*w) for w in words))
        for text, start, end, words in found["segments"]
    )
    return segments, [LoopRepair(**r) for r in found["repairs"]]


# openai-whisper decodes a loop's fallbacks about five times slower than faster-whisper on the
# CPU, so it reads one voice; faster-whisper, the default, reads both.
@pytest.mark.parametrize(
    ("engine_name", "voice"),
    [("faster-whisper", "f4-high"), ("faster-whisper", "m6-low"), ("openai-whisper", "f4-high")],
)
def test_read_out_numbers_leave_no_loop_and_the_next_sentences_intact(
    engine_name, voice, readout_channels, tmp_path_factory
):
    from trainer.speech.diarization import FRAME, speech_frames

    samples, spans = readout_channels[voice]
    segments, repairs = read_in_fresh_process(engine_name, samples, tmp_path_factory)
    assert segments, "nothing was transcribed"
    assert not [s.text for s in segments if loop_reason(s)], "a repetition loop is left"
    assert repairs and all(r.action in ("reread", "trimmed") and r.reason for r in repairs)
    words = [w for s in segments for w in s.words]
    voiced = speech_frames(samples)
    duration = len(samples) / SAMPLE_RATE
    for word in words:
        assert 0.0 <= word.start <= word.end <= duration, word
        # No word sits in the 1.5 s pauses between lines, away from any speech.
        near = voiced[max(0, int(word.start / FRAME) - 30) : int(word.end / FRAME) + 30]
        assert near.any(), f"{word} lies in silence"
    spoken = " ".join(s.text for s in segments).lower()
    for phrase in ("thank you so much", "relief", "new card"):
        assert phrase in spoken, (phrase, spoken)
    card = [w for w in words if spans[0][0] - 0.5 <= w.start <= spans[0][1] + 0.5]
    assert len(spoken_units(" ".join(w.text for w in card))) <= 4 + 19, "the card ran on"
    relief = [w.text for w in words if spans[1][0] - 0.5 <= w.start <= spans[1][1] + 0.5]
    assert any("relief" in w.lower() for w in relief), "the sentence after the card moved"


def test_a_second_reading_that_stops_halfway_is_not_taken():
    loop = segment("my card number is " + "-1 " * 40, 4.0, 12.0)
    first = Transcript((loop,), 30.0, "scripted", "none")
    # Whisper gives up two seconds into the number: the rest of the speech goes unheard.
    engine = DecodingEngine([segment("my card number is four one", 0.2, 2.2)])
    mended, repairs = recover_loops(engine, channel(), first)
    assert repairs[0].action == "trimmed"
    assert mended.segments[0].text.startswith("my card number is -1")
    assert coverage(list(engine.second), channel()[: 8 * SAMPLE_RATE], 0.0) < 0.5


def test_coverage_does_not_count_a_word_stretched_over_the_rest():
    clip = channel(20.0)
    # Whisper gave up after a few words and stretched the last one to the clip's end.
    words = segment("sure it is four one", 0.0, 2.5)
    stretched = replace_last_word_end(words, 20.0)
    assert coverage([stretched], clip, 0.0) < 0.3


def replace_last_word_end(seg: Segment, end: float) -> Segment:
    from dataclasses import replace

    return replace(seg, end=end, words=(*seg.words[:-1], replace(seg.words[-1], end=end)))
