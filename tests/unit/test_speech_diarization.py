"""Mono diarization: speech regions, the Viterbi pass, and two real (espeak-ng) voices told apart
from the audio, whatever the ASR segments say."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.speech.diarization import (
    FRAME,
    VoiceLabels,
    regions,
    speech_frames,
    viterbi,
    voice_labels,
    windows,
)
from trainer.speech.engines.base import SAMPLE_RATE, Segment, Transcript, Word
from trainer.speech.speakers import mono_turns

from ..speech_synth import require_espeak, speak


def test_speech_diarization_regions_are_runs_of_speech():
    speech = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert regions(speech) == [(1, 3), (5, 6), (7, 10)]
    assert regions(np.zeros(4, dtype=bool)) == []


def test_speech_diarization_windows_cover_every_region():
    spans = [(0, 30), (100, 400)]
    found = windows(spans, total=500)
    short = [w for w in found if w[2] == 0]
    assert len(short) == 1 and short[0][1] - short[0][0] >= 50  # widened to 0.5 s
    covered = np.zeros(500, dtype=bool)
    for first, end, index in found:
        if index == 1:
            assert end - first == 120 and 100 <= first and end <= 400
            covered[first:end] = True
    assert covered[100:400].all()


def test_speech_diarization_viterbi_keeps_a_voice_through_a_stretch_of_speech():
    speech = np.zeros(300, dtype=bool)
    speech[0:100] = speech[150:300] = True
    scores = np.zeros(300)
    scores[0:100] = 0.3  # voice 0
    scores[40:45] = -0.05  # a short, weak slip inside the first stretch
    scores[150:300] = -0.3  # voice 1 after the pause
    frames = viterbi(scores, speech)
    assert (frames[0:100] == 0).all()  # the slip is smoothed away
    assert (frames[150:300] == 1).all()  # the pause lets the voice change
    assert (frames[100:150] == -1).all()


def test_speech_diarization_viterbi_changes_voice_inside_speech_on_strong_evidence():
    speech = np.ones(400, dtype=bool)
    scores = np.where(np.arange(400) < 200, 0.3, -0.3)
    frames = viterbi(scores, speech)
    assert (frames[:190] == 0).all() and (frames[210:] == 1).all()


def test_speech_diarization_word_in_a_pause_takes_the_nearest_voice():
    frames = np.full(300, -1, dtype=np.int8)
    frames[0:100], frames[200:300] = 0, 1
    labels = VoiceLabels(frames, frames >= 0)
    assert labels.label_word(Word("yes", 1.10, 1.20)) == 0  # nearer the first stretch
    assert labels.label_word(Word("no", 1.85, 1.95)) == 1
    assert labels.label_word(Word("both", 0.5, 2.5)) in (0, 1)


def test_speech_diarization_silence_has_no_speech():
    silent = np.zeros(3 * SAMPLE_RATE, dtype=np.float32)
    assert not speech_frames(silent).any()
    labels = voice_labels(silent)
    assert (labels.frames == -1).all()


LINES = [
    ("agent", "Thank you for calling Bluebird Bank, this is Sam. How can I help you today?"),
    ("customer", "Hi Sam, I was charged twice for my order and I am really frustrated."),
    ("agent", "I am so sorry about that. Let me look at the account for you right now."),
    ("customer", "Thank you. It was ninety four dollars, both times, on Monday."),
    ("agent", "I can see both charges. I have refunded the second one just now."),
    ("customer", "Great, that is a relief. How long will it take?"),
]


@pytest.fixture(scope="module")
def two_voices(tmp_path_factory):
    """A mono mix of two espeak-ng voices, alternating with short pauses, and its truth."""
    require_espeak()
    folder = tmp_path_factory.mktemp("voices")
    pieces, truth, t = [np.zeros(int(0.5 * SAMPLE_RATE), np.int16)], [], 0.5
    for speaker, text in LINES:
        audio = speak(text, speaker, folder)
        truth.append((speaker, t, t + len(audio) / SAMPLE_RATE))
        t += len(audio) / SAMPLE_RATE + 0.5
        pieces += [audio, np.zeros(int(0.5 * SAMPLE_RATE), np.int16)]
    samples = np.concatenate(pieces).astype(np.float32) / 32768.0
    return samples, truth


def test_speech_diarization_two_voices_frame_by_frame(two_voices):
    samples, truth = two_voices
    labels = voice_labels(samples)
    right = total = 0
    voice_of: dict[str, list[int]] = {"agent": [], "customer": []}
    for speaker, start, end in truth:
        frames = labels.frames[int(start / FRAME) : int(end / FRAME)]
        frames = frames[frames >= 0]
        voice_of[speaker] += frames.tolist()
    agent_voice = int(np.bincount(voice_of["agent"]).argmax())
    for speaker, frames in voice_of.items():
        expected = agent_voice if speaker == "agent" else 1 - agent_voice
        right += sum(f == expected for f in frames)
        total += len(frames)
    assert total > 0.6 * sum(end - start for _, start, end in truth) / FRAME
    assert right / total >= 0.95


def test_speech_diarization_ignores_segments_that_run_across_speakers(two_voices):
    samples, truth = two_voices
    # One ASR segment for the whole call, words timed where each line really is: the old
    # segment-based attribution would keep such a segment's words together.
    words = []
    for _speaker, start, end in truth:
        step = (end - start) / 6
        words += [
            Word(f"w{len(words)}", start + i * step, start + (i + 1) * step) for i in range(6)
        ]
    transcript = Transcript(
        (Segment("all", words[0].start, words[-1].end, tuple(words)),),
        len(samples) / SAMPLE_RATE,
        "test",
        "none",
    )
    turns = mono_turns(samples, transcript)
    assert len(turns) == len(truth)
    labels = [t.speaker for t in turns]
    assert labels[0::2] == [labels[0]] * 3 and labels[1::2] == [labels[1]] * 3
    assert labels[0] != labels[1]


def test_speech_diarization_hold_music_is_not_a_voice(two_voices):
    samples, truth = two_voices
    # A minute of hold music in the middle of the call: louder and longer than either voice.
    t = np.arange(60 * SAMPLE_RATE) / SAMPLE_RATE
    chords = sum(
        np.sin(2 * np.pi * f * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t + i))
        for i, f in enumerate((261.6, 329.6, 392.0, 523.3))
    )
    music = (chords / np.abs(chords).max() * 0.3).astype(np.float32)
    cut = truth[2][1] - 0.25  # in the pause before the third line
    at = int(cut * SAMPLE_RATE)
    held = np.concatenate([samples[:at], music, samples[at:]])
    moved = [(s, a + 60 * (a > cut), b + 60 * (b > cut)) for s, a, b in truth]
    words = [Word("w", a + 0.1, b - 0.1) for _, a, b in moved]  # what the ASR heard: no music
    labels = voice_labels(held, words)
    voices = [labels.label_word(w) for w in words]
    speakers = [s for s, *_ in moved]
    agent = voices[0]
    assert [v == agent for v in voices] == [s == "agent" for s in speakers]
    assert (labels.frames[int((cut + 5) / FRAME) : int((cut + 55) / FRAME)] == -1).all()
