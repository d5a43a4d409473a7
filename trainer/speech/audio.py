"""Audio intake: recognise the container by its bytes, decode with PyAV, and refuse bad audio.

Formats are sniffed, never trusted by extension: wav, mp3, m4a, flac, ogg/opus (and webm, which
browsers record). Decoding resamples to 16 kHz and keeps the channels apart (stereo calls carry
one speaker per channel). Samples are kept as int16 to halve memory on long calls.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.errors import AudioError

SAMPLE_RATE = 16_000
_SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What sniffing and probing found out about a file before decoding it."""

    path: Path
    format: str  # wav | mp3 | m4a | flac | ogg | opus | webm
    codec: str
    channels: int
    sample_rate: int
    duration: float
    sha256: str


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """16 kHz int16 samples, shape (channels, samples)."""

    info: AudioInfo
    samples: np.ndarray

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.samples.shape[1] / SAMPLE_RATE

    def channel(self, index: int) -> np.ndarray:
        """One channel as float32 in [-1, 1], what the ASR engines want."""
        return as_float(self.samples[index])

    def mono(self) -> np.ndarray:
        """All channels mixed to one, as float32."""
        return as_float(self.mono_pcm())

    def mono_pcm(self) -> np.ndarray:
        """All channels mixed to one, kept as int16 (a view when the call is already mono).

        Mixed a minute at a time: a float copy of a two-hour call would cost hundreds of MB.
        """
        if self.samples.shape[0] == 1:
            return self.samples[0]
        mixed = np.empty(self.samples.shape[1], dtype=np.int16)
        step = 60 * SAMPLE_RATE
        for first in range(0, self.samples.shape[1], step):
            block = self.samples[:, first : first + step].astype(np.int32)
            mixed[first : first + step] = block.sum(axis=0) // self.samples.shape[0]
        return mixed


def as_float(samples: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in [-1, 1]; float samples are returned as they are.

    Long calls are held as int16 and converted a window at a time, where they are used.
    """
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples


def sniff_format(head: bytes) -> str | None:
    """The audio container named by a file's first bytes, or None when it is not audio we take."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "opus" if b"OpusHead" in head[:200] else "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def looks_like_audio(path: Path) -> bool:
    """True when the file's bytes name an audio container (used to route ingestion)."""
    try:
        with path.open("rb") as handle:
            return sniff_format(handle.read(_SNIFF_BYTES)) is not None
    except OSError:
        return False


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in chunks (calls can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def max_call_seconds() -> float:
    """The longest call accepted, from $TRAINER_MAX_CALL_HOURS (default 4 hours)."""
    return float(os.environ.get("TRAINER_MAX_CALL_HOURS", "4")) * 3600


def probe(path: str | Path) -> AudioInfo:
    """Sniff and probe a file without decoding it; AudioError says what is wrong."""
    import av

    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise AudioError("file not found", where=where)
    if path.stat().st_size == 0:
        raise AudioError(
            "the file is empty (0 bytes)", where=where, fix="check the recording export"
        )
    with path.open("rb") as handle:
        kind = sniff_format(handle.read(_SNIFF_BYTES))
    if kind is None:
        raise AudioError(
            "not an audio file we can read",
            where=where,
            fix="use wav, mp3, m4a, flac, ogg or opus",
        )
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"the {kind} container holds no audio stream", where=where)
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            channels = stream.codec_context.channels
            rate = stream.codec_context.sample_rate or stream.rate
            duration = container.duration / 1_000_000 if container.duration else 0.0
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
    except AudioError:
        raise
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"cannot read the {kind} file: {exc}",
            where=where,
            fix="the file may be truncated or corrupt; export it again",
        ) from None
    if duration > max_call_seconds():
        hours = duration / 3600
        raise AudioError(
            f"the call is {hours:.1f} h long, over the {max_call_seconds() / 3600:g} h limit",
            where=where,
            fix="split the recording, or raise TRAINER_MAX_CALL_HOURS",
        )
    return AudioInfo(path, kind, codec, channels, rate, duration, file_sha256(path))


def decode(path: str | Path, info: AudioInfo | None = None) -> DecodedAudio:
    """Decode to 16 kHz int16 (channels, samples); refuse truncated, empty or silent audio."""
    import av

    info = info or probe(path)
    where = str(info.path)
    layout = "stereo" if info.channels >= 2 else "mono"
    resampler = av.AudioResampler(format="s16p", layout=layout, rate=SAMPLE_RATE)
    buffer = _SampleBuffer(2 if layout == "stereo" else 1, info.duration)
    try:
        with av.open(str(info.path)) as container:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray())
            for out in resampler.resample(None):
                buffer.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"decoding stopped: {exc}",
            where=where,
            fix="the file is truncated or corrupt; export it again",
        ) from None
    except ValueError as exc:  # PyAV raises this for codecs FFmpeg cannot decode
        raise AudioError(f"unsupported codec {info.codec!r}: {exc}", where=where) from None
    samples = buffer.samples()
    if samples.shape[1] == 0:
        raise AudioError(
            "the file decodes to no audio at all",
            where=where,
            fix="the file is truncated or corrupt; export it again",
        )
    if samples.shape[1] < SAMPLE_RATE // 2:
        raise AudioError("shorter than half a second: nothing to transcribe", where=where)
    if info.duration and samples.shape[1] / SAMPLE_RATE < 0.5 * info.duration:
        raise AudioError(
            f"truncated: decoded {samples.shape[1] / SAMPLE_RATE:.1f} s of "
            f"{info.duration:.1f} s announced",
            where=where,
            fix="export the recording again",
        )
    # max and min rather than abs: no full-length temporary copy on a long call.
    if max(int(samples.max()), -int(samples.min())) < 33:  # about -60 dBFS: silence or hiss
        raise AudioError("the recording is silent", where=where, fix="check the recording source")
    return DecodedAudio(info, samples)


class _SampleBuffer:
    """int16 (channels, samples) filled frame by frame, sized from the announced duration.

    Collecting frames in a list and concatenating them would hold the call twice at the end.
    """

    def __init__(self, channels: int, seconds: float) -> None:
        self._data = np.empty((channels, int(seconds * SAMPLE_RATE) + SAMPLE_RATE), np.int16)
        self._used = 0

    def append(self, block: np.ndarray) -> None:
        """Add decoded samples (channels, n)."""
        n = block.shape[1]
        if self._used + n > self._data.shape[1]:
            size = max(2 * self._data.shape[1], self._used + n)
            grown = np.empty((self._data.shape[0], size), dtype=np.int16)
            grown[:, : self._used] = self._data[:, : self._used]
            self._data = grown
        self._data[:, self._used : self._used + n] = block
        self._used += n

    def samples(self) -> np.ndarray:
        """The samples decoded so far (copied only when the buffer grew well past them)."""
        if self._used < 0.8 * self._data.shape[1] - SAMPLE_RATE:
            return self._data[:, : self._used].copy()
        return self._data[:, : self._used]
