"""The ASR engine interface and registry: adding an engine is one new file in this package.

An engine turns 16 kHz mono float32 samples into segments with word timestamps. Engines load
models only from local folders or files (packaged or named by the user), never from a hub.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its time span in seconds."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of recognised speech with its words."""

    text: str
    start: float
    end: float
    words: tuple[Word, ...] = field(default_factory=tuple)

    def shifted(self, offset: float) -> Segment:
        """This segment of a clip with its times (and its words') moved by `offset` seconds."""
        return Segment(
            self.text,
            self.start + offset,
            self.end + offset,
            tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in self.words),
        )


@dataclass(frozen=True, slots=True)
class Transcript:
    """What an engine returns for one audio channel."""

    segments: tuple[Segment, ...]
    duration: float
    engine: str
    model: str
    language: str = "en"


ProgressFn = Callable[[float], None]  # fraction of the audio done, 0..1


@dataclass(frozen=True, slots=True)
class Decoding:
    """How an engine decodes, where a caller needs other than its defaults.

    `spell_numbers` keeps numerals and currency signs out of the output, so numbers come out as
    words ("four one one one"): Whisper's digit tokens are where it loops ("4-1-1-1-..." dozens
    of times over a read-out card number), and words cost one token per digit said.
    `condition_on_previous_text` False stops one bad passage from steering the next.
    """

    spell_numbers: bool = False
    condition_on_previous_text: bool = True


DEFAULT_DECODING = Decoding()
NUMERAL_CHARACTERS = frozenset("0123456789%$£€")


def numeral_tokens(decode: Callable[[list[int]], str], count: int) -> list[int]:
    """Ids below `count` whose text holds a numeral or currency sign (`decode` maps ids to text)."""
    return [i for i in range(count) if NUMERAL_CHARACTERS.intersection(decode([i]))]


class Engine(Protocol):
    """What every ASR engine provides."""

    name: str
    model_name: str

    def transcribe(
        self,
        samples: np.ndarray,
        progress: ProgressFn | None = None,
        decoding: Decoding = DEFAULT_DECODING,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples (values in [-1, 1]) with word timestamps."""
        ...


EngineFactory = Callable[[str | None], Engine]
_ENGINES: dict[str, EngineFactory] = {}


def engine(name: str) -> Callable[[EngineFactory], EngineFactory]:
    """Register an engine factory `factory(model: str | None) -> Engine` under `name`."""

    def wrap(factory: EngineFactory) -> EngineFactory:
        if name in _ENGINES:
            raise ValueError(f"ASR engine {name!r} is registered twice")
        _ENGINES[name] = factory
        return factory

    return wrap


def _discover() -> None:
    package = importlib.import_module("trainer.speech.engines")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "base":
            importlib.import_module(f"{package.__name__}.{module.name}")


def engine_names() -> list[str]:
    """Registered engine names."""
    _discover()
    return sorted(_ENGINES)


def load_engine(name: str, model: str | None = None) -> Engine:
    """Build the engine `name` with `model` (None = the engine's packaged default)."""
    _discover()
    if name not in _ENGINES:
        from trainer.errors import TrainerError

        raise TrainerError(
            f"unknown ASR engine {name!r}",
            where="--engine",
            fix=f"use one of: {', '.join(sorted(_ENGINES))}",
        )
    return _ENGINES[name](model)
