"""Who spoke when on a mono call, read from the audio itself rather than from the ASR segments.

1. Speech regions come from a voice-activity detector (webrtcvad) on 10 ms frames; only frames
   near a word the ASR heard are kept (hold music and line noise are not a voice).
2. Each region is covered by short windows (1.2 s, half overlapping; a short region gets one
   window of at least 0.5 s around it) and each window gets a resemblyzer voice embedding.
3. Each stretch of speech between pauses is summarised by the mean of its windows, and those
   summaries are clustered into two voices (k-means weighted by length).
4. Every speech frame is scored by how much closer its windows are to one voice than the other,
   and a Viterbi pass labels the frames: changing voice inside a stretch of speech is expensive,
   at a pause it is cheap. Short slips ("yes" inside the other voice's window) are smoothed away.
5. A word takes the label of the speech frames under it (the nearest ones when Whisper placed it
   in a pause).

Working from the audio makes attribution independent of how Whisper happened to cut its segments
(a segment that runs across a change of speaker no longer drags the other voice's words along).
Memory stays flat on long calls: mel frames are computed in chunks and only one summary per stretch
of speech is clustered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from trainer.speech.audio import as_float
from trainer.speech.engines.base import SAMPLE_RATE, Word

FRAME = 0.01  # seconds per frame: resemblyzer's mel hop
_FRAME_SAMPLES = int(SAMPLE_RATE * FRAME)
_VAD_FRAME = 3  # webrtcvad reads 30 ms frames (3 of ours)
_BRIDGE_FRAMES = 15  # a pause shorter than this stays inside one region
_MIN_REGION_FRAMES = 8  # shorter blips of "speech" are noise
_WINDOW_FRAMES = 120  # embedding window
_HOP_FRAMES = 60
_MIN_WINDOW_FRAMES = 50  # a short region's window is widened to this around its centre
_MEL_CHUNK_FRAMES = 6000  # mel spectrogram computed a minute at a time
_SWITCH_IN_REGION = 4.0  # Viterbi cost of a change of voice with no pause
_SWITCH_AT_PAUSE = 0.05  # ... and at a pause
_EMISSION_SCALE = 10.0
_TARGET_RMS = 10 ** (-30 / 20)  # resemblyzer's training loudness, -30 dBFS


# A word whose voice evidence is under this share of the call's typical evidence is flagged for
# a reviewer: on the 8 sample calls and 16 calls of the dev voice pairs such words were 1.8% of
# all and held 79% of the misattributed ones.
UNCERTAIN = 0.3


@dataclass(frozen=True)
class VoiceLabels:
    """Per-frame voice labels (0/1, -1 where no speech) of a mono recording, with the evidence
    behind them (how much closer each frame sounds to voice 0 than to voice 1)."""

    frames: np.ndarray  # int8, one entry per 10 ms
    speech: np.ndarray  # bool, one entry per 10 ms
    scores: np.ndarray | None = None  # float, one entry per 10 ms
    typical: float = 0.0  # median evidence over speech frames

    def _under(self, word: Word) -> np.ndarray:
        """Indices of the speech frames under a word, else of the nearest speech frame."""
        a = max(0, int(word.start / FRAME))
        b = min(len(self.frames), max(a + 1, int(np.ceil(word.end / FRAME))))
        under = np.arange(a, b)[self.frames[a:b] >= 0]
        if under.size:
            return under
        speech_at = self._speech_at
        if speech_at.size == 0:
            return under
        return speech_at[[np.abs(speech_at - (a + b) / 2).argmin()]]

    @cached_property
    def _speech_at(self) -> np.ndarray:
        return np.flatnonzero(self.speech)

    def label_word(self, word: Word) -> int:
        """The voice under a word: the majority of its speech frames, else the nearest speech."""
        under = self._under(word)
        if under.size == 0:
            return 0
        return int(np.bincount(self.frames[under], minlength=2).argmax())

    def confidence(self, word: Word) -> float:
        """How clearly the audio under a word sounds like its voice, 0..1 (1: as clearly as is
        typical for this call, or clearer)."""
        under = self._under(word)
        if self.scores is None or under.size == 0 or self.typical <= 0:
            return 0.0
        return float(min(1.0, abs(float(self.scores[under].mean())) / self.typical))


def speech_frames(samples: np.ndarray, aggressiveness: int = 2) -> np.ndarray:
    """A bool per 10 ms frame: does it hold speech (webrtcvad, bridged and de-noised)?"""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    step = _FRAME_SAMPLES * _VAD_FRAME
    count = len(samples) // step
    flags = np.zeros(count, dtype=bool)
    # int16 bytes one minute at a time, so a long call never needs a second full copy.
    block = 2000
    for first in range(0, count, block):
        last = min(count, first + block)
        raw = _pcm16(samples[first * step : last * step]).tobytes()
        for i in range(last - first):
            flags[first + i] = vad.is_speech(raw[i * step * 2 : (i + 1) * step * 2], SAMPLE_RATE)
    frames = np.repeat(flags, _VAD_FRAME)
    frames = np.concatenate([frames, np.zeros(len(samples) // _FRAME_SAMPLES - len(frames), bool)])
    return _drop_short(_bridge(frames, _BRIDGE_FRAMES), _MIN_REGION_FRAMES)


def _pcm16(samples: np.ndarray) -> np.ndarray:
    if samples.dtype == np.int16:
        return samples.astype("<i2", copy=False)
    return np.clip(samples * 32767.0, -32768, 32767).astype("<i2")


def regions(speech: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) frame ranges of contiguous speech."""
    padded = np.concatenate([[False], speech, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _bridge(speech: np.ndarray, gap: int) -> np.ndarray:
    out = speech.copy()
    spans = regions(speech)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start - end < gap:
            out[end:start] = True
    return out


def _drop_short(speech: np.ndarray, shortest: int) -> np.ndarray:
    out = speech.copy()
    for start, end in regions(speech):
        if end - start < shortest:
            out[start:end] = False
    return out


def windows(spans: list[tuple[int, int]], total: int) -> list[tuple[int, int, int]]:
    """(first, end, region index) frame windows covering every speech region."""
    out = []
    for index, (start, end) in enumerate(spans):
        length = end - start
        if length <= _WINDOW_FRAMES:
            width = min(total, max(length, _MIN_WINDOW_FRAMES))
            first = min(max(0, (start + end - width) // 2), total - width)
            out.append((first, first + width, index))
            continue
        starts = list(range(start, end - _WINDOW_FRAMES, _HOP_FRAMES)) + [end - _WINDOW_FRAMES]
        out += [(s, s + _WINDOW_FRAMES, index) for s in dict.fromkeys(starts)]
    return out


@lru_cache(maxsize=1)
def voice_encoder():
    """resemblyzer's voice encoder (its weights ship inside the wheel), loaded once."""
    import torch
    from resemblyzer import VoiceEncoder

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    return VoiceEncoder("cpu", verbose=False)


def _mel_frames(samples: np.ndarray) -> np.ndarray:
    """resemblyzer's (power) mel spectrogram, one row per 10 ms, computed in chunks."""
    from resemblyzer.audio import wav_to_mel_spectrogram

    total = len(samples) // _FRAME_SAMPLES
    out = np.zeros((total, 40), dtype=np.float32)
    for first in range(0, total, _MEL_CHUNK_FRAMES):
        last = min(total, first + _MEL_CHUNK_FRAMES)
        mel = wav_to_mel_spectrogram(
            as_float(samples[first * _FRAME_SAMPLES : last * _FRAME_SAMPLES])
        )
        out[first : first + min(len(mel), last - first)] = mel[: last - first]
    return out


def embed_windows(samples: np.ndarray, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """A unit-length voice embedding per window, each window brought to the same loudness."""
    import torch

    encoder = voice_encoder()
    mel = _mel_frames(samples)
    out = np.zeros((len(spans), 256), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, (first, end, _) in enumerate(spans):
        by_length.setdefault(end - first, []).append(i)
    with torch.no_grad():
        for members in by_length.values():
            for k in range(0, len(members), 128):
                batch = members[k : k + 128]
                mels = np.stack([_loudness_normalised(mel, spans[i]) for i in batch])
                out[batch] = encoder(torch.from_numpy(mels)).numpy()
    return out


def _loudness_normalised(mel: np.ndarray, span: tuple[int, int, int]) -> np.ndarray:
    window = mel[span[0] : span[1]]
    power = float(window.sum(axis=1).mean())
    # Power mel scales with the square of the amplitude: bring the window to -30 dBFS, the
    # loudness resemblyzer's own preprocessing gives an utterance.
    return window * (_reference_power() / power) if power > 0 else window


@lru_cache(maxsize=1)
def _reference_power() -> float:
    """Mean mel power per frame of a -30 dBFS signal."""
    from resemblyzer.audio import wav_to_mel_spectrogram

    noise = np.random.default_rng(0).standard_normal(SAMPLE_RATE).astype(np.float32)
    return float(wav_to_mel_spectrogram(noise * _TARGET_RMS).sum(axis=1).mean())


def voice_centroids(embeddings: np.ndarray, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """The two voices' centroids (2 x 256): weighted k-means over whole stretches of speech.

    A stretch between pauses is almost always one speaker, and averaging its windows cancels
    most of what the words themselves put into an embedding; clustering those averages (weighted
    by length) tells even similar voices apart where window-by-window clustering splits off a
    few odd windows instead.
    """
    from sklearn.cluster import KMeans

    region_of = np.array([index for *_, index in spans])
    lengths = np.array([end - first for first, end, _ in spans], float)
    present, region_of = np.unique(region_of, return_inverse=True)
    if len(present) >= 2:
        # Per stretch, in one pass over the windows (hours of call have thousands of each).
        sums = np.zeros((len(present), embeddings.shape[1]), dtype=np.float64)
        np.add.at(sums, region_of, embeddings)
        points = np.stack([_unit(row) for row in sums])  # the unit mean: the sum's direction
        weights = np.bincount(region_of, weights=lengths)
    else:  # one unbroken stretch: fall back on its windows
        points, weights = embeddings, lengths
    if len(points) < 2:
        return np.stack([_unit(embeddings.mean(axis=0))] * 2)
    model = KMeans(n_clusters=2, n_init=10, random_state=0)
    labels = model.fit_predict(points, sample_weight=weights)
    return np.stack(
        [
            _unit(np.average(points[labels == k], axis=0, weights=weights[labels == k]))
            for k in (0, 1)
        ]
    )


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def frame_scores(
    total: int, spans: list[tuple[int, int, int]], embeddings: np.ndarray, centroids: np.ndarray
) -> np.ndarray:
    """Per frame, the mean over its windows of (similarity to voice 0 - similarity to voice 1)."""
    margin = embeddings @ centroids[0] - embeddings @ centroids[1]
    sums = np.zeros(total, dtype=np.float64)
    counts = np.zeros(total, dtype=np.float64)
    for (first, end, _), value in zip(spans, margin, strict=True):
        sums[first:end] += value
        counts[first:end] += 1
    return np.divide(sums, counts, out=np.zeros(total), where=counts > 0)


def viterbi(scores: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """Label speech frames 0/1 (others -1), keeping a voice through a stretch of speech."""
    frames = np.full(len(scores), -1, dtype=np.int8)
    at = np.flatnonzero(speech)
    if at.size == 0:
        return frames
    gain = np.stack([scores[at], -scores[at]], axis=1) * _EMISSION_SCALE
    # A change of voice between two speech frames costs less when a pause separates them.
    switch = np.where(np.diff(at) > 1, _SWITCH_AT_PAUSE, _SWITCH_IN_REGION)
    # Plain floats: a two-state pass over hours of frames is faster without numpy per step.
    g0, g1, cost = gain[:, 0].tolist(), gain[:, 1].tolist(), switch.tolist()
    b0, b1 = g0[0], g1[0]
    from0 = bytearray(len(at))  # back-pointers: 1 = came from the other voice
    from1 = bytearray(len(at))
    for t in range(1, len(at)):
        c = cost[t - 1]
        stay0, move0 = b0, b1 - c
        stay1, move1 = b1, b0 - c
        if stay0 >= move0:
            n0 = stay0
        else:
            n0, from0[t] = move0, 1
        if stay1 >= move1:
            n1 = stay1
        else:
            n1, from1[t] = move1, 1
        b0, b1 = n0 + g0[t], n1 + g1[t]
    state = 0 if b0 >= b1 else 1
    path = np.empty(len(at), dtype=np.int8)
    for t in range(len(at) - 1, -1, -1):
        path[t] = state
        if (from0 if state == 0 else from1)[t]:
            state = 1 - state
    frames[at] = path
    return frames


def voice_labels(
    samples: np.ndarray, words: list[Word] | None = None, speech: np.ndarray | None = None
) -> VoiceLabels:
    """Two voices told apart frame by frame in a mono recording (16 kHz, int16 or float32).

    With `words` (the ASR's), only sound near a word counts as speech: hold music, ringing and
    line noise then never become a "voice" that the clustering splits off while the two people
    end up together. `speech` is the recording's `speech_frames`, when the caller has them.
    """
    speech = speech_frames(samples) if speech is None else speech
    if words is not None:
        speech = _worded(speech, words)
    total = len(speech)
    spans = windows(regions(speech), total)
    if not spans:
        return VoiceLabels(np.full(total, -1, dtype=np.int8), speech)
    embeddings = embed_windows(samples, spans)
    scores = frame_scores(total, spans, embeddings, voice_centroids(embeddings, spans))
    typical = float(np.median(np.abs(scores[speech]))) if speech.any() else 0.0
    return VoiceLabels(viterbi(scores, speech), speech, scores.astype(np.float32), typical)


def _worded(speech: np.ndarray, words: list[Word], slack: float = 0.3) -> np.ndarray:
    """Speech frames within `slack` seconds of a word (allowing for timestamp error): sound the
    ASR heard no word in, even when it runs on from speech, is left out."""
    said = np.zeros(len(speech) + 1, dtype=np.int32)
    for word in words:
        a = max(0, int((word.start - slack) / FRAME))
        b = min(len(speech), int(np.ceil((word.end + slack) / FRAME)))
        if b > a:
            said[a] += 1
            said[b] -= 1
    return speech & (np.cumsum(said[:-1]) > 0)
