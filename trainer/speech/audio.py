"""Audio intake: recognise the container by its bytes, decode with PyAV, and refuse bad audio.

Formats are sniffed, never trusted by extension: wav, mp3, m4a, flac, ogg/opus (and webm, which
browsers record). Decoding resamples to 16 kHz and keeps the channels apart (stereo calls carry
one speaker per channel). Samples are kept as int16 to halve memory on long calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.errors import AudioError
from trainer.ingest.limits import AUDIO_MINUTES_VAR, max_audio_seconds

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


# UTF-16/32 text starts with a byte-order mark; FF FE also passes for an MPEG frame sync, so
# these are checked first (a UTF-16 transcript was once stored as a failed call).
_TEXT_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def has_text_bom(path: Path) -> bool:
    """True when the file starts with a UTF-16 or UTF-32 byte-order mark, readable or not."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return any(head.startswith(bom) for bom, _ in _TEXT_BOMS)


def looks_like_text(head: bytes) -> bool:
    """True when the first bytes are a UTF-16/32 byte-order mark followed by readable text."""
    for bom, codec in _TEXT_BOMS:
        if head.startswith(bom):
            body = head[len(bom) :]
            width = 4 if "32" in codec else 2
            body = body[: len(body) // width * width][:400]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError:
                return False
            # Real MPEG frames decode to noise: call it text only when it reads as text.
            return all(c.isprintable() or c in "\r\n\t" for c in text)
    return False


def sniff_format(head: bytes) -> str | None:
    """The audio container named by a file's first bytes, or None when it is not audio we take."""
    if looks_like_text(head):
        return None
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
    """The longest call accepted ($TRAINER_MAX_AUDIO_MINUTES, default 240 minutes)."""
    return max_audio_seconds()


def _too_long(seconds: float, where: str, measured: str) -> AudioError:
    limit = max_call_seconds()
    return AudioError(
        f"the call {measured} {seconds / 60:.1f} min long, over the {limit / 60:g} min limit",
        where=where,
        fix=f"split the recording, or raise {AUDIO_MINUTES_VAR}",
    )


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
            context = stream.codec_context
            # A corrupt header can name a codec FFmpeg lacks, or no channels or rate at all.
            if context is None or not context.channels or not (context.sample_rate or stream.rate):
                raise AudioError(
                    f"the {kind} header names no codec, channels or sample rate we can use",
                    where=where,
                    fix="the file may be truncated or corrupt; export it again",
                )
            codec = context.name
            channels = context.channels
            rate = context.sample_rate or stream.rate
            duration = container.duration / 1_000_000 if container.duration else 0.0
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
    except AudioError:
        raise
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"cannot read the {kind} file: {_reason(exc)}",
            where=where,
            fix="the file may be truncated or corrupt; export it again",
        ) from None
    if duration > max_call_seconds():
        raise _too_long(duration, where, "is")
    return AudioInfo(path, kind, codec, channels, rate, duration, file_sha256(path))


def decode(path: str | Path, info: AudioInfo | None = None) -> DecodedAudio:
    """Decode to 16 kHz int16 (channels, samples); refuse truncated, empty or silent audio."""
    import av

    info = info or probe(path)
    where = str(info.path)
    layout = "stereo" if info.channels >= 2 else "mono"
    resampler = av.AudioResampler(format="s16p", layout=layout, rate=SAMPLE_RATE)
    buffer = _SampleBuffer(2 if layout == "stereo" else 1, info.duration)
    # The header's duration may lie: the limit is checked on what actually decodes, too.
    most = int(max_call_seconds() * SAMPLE_RATE)
    try:
        with av.open(str(info.path)) as container:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray())
                if buffer.used > most:
                    raise _too_long(buffer.used / SAMPLE_RATE, where, "decodes to more than")
            for out in resampler.resample(None):
                buffer.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"decoding stopped: {_reason(exc)}",
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


def _reason(exc: Exception) -> str:
    # FFmpeg's text without its errno and the file's path (the path is in `where` already).
    return getattr(exc, "strerror", None) or type(exc).__name__


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

    @property
    def used(self) -> int:
        """Samples per channel decoded so far."""
        return self._used

    def samples(self) -> np.ndarray:
        """The samples decoded so far (copied only when the buffer grew well past them)."""
        if self._used < 0.8 * self._data.shape[1] - SAMPLE_RATE:
            return self._data[:, : self._used].copy()
        return self._data[:, : self._used]
