"""The detector registry: versioned names (`empathy.acknowledgement.v1`) mapped to factories.

A detector family lives in one file under `trainer/scoring/detectors/` and registers each detector
with the `@detector` decorator. Never change what a `.v1` does: register a `.v2` beside it.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from trainer.scoring.result import Score

if TYPE_CHECKING:
    from trainer.scoring.context import ScoringContext

DetectorFn = Callable[["ScoringContext", BaseModel], Score]


class NoParams(BaseModel):
    """Parameters of a detector that takes none."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class DetectorSpec:
    """A registered detector: its name, what it checks, its parameter model and its function."""

    name: str
    description: str
    params_model: type[BaseModel]
    fn: DetectorFn

    @property
    def family(self) -> str:
        """`empathy` for `empathy.acknowledgement.v1`."""
        return self.name.split(".")[0]

    def validate_params(self, params: dict) -> BaseModel:
        """Parse rubric params into the detector's parameter model (ValueError on bad ones)."""
        try:
            return self.params_model.model_validate(params or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{loc}: {first['msg']}" if loc else first["msg"]) from None

    def __call__(self, ctx: ScoringContext, params: dict | None = None) -> Score:
        return self.fn(ctx, self.validate_params(params or {}))


_LOADING = threading.RLock()


class DetectorRegistry:
    """Name -> DetectorSpec, filled by importing every module in `trainer.scoring.detectors`."""

    def __init__(self) -> None:
        self._specs: dict[str, DetectorSpec] = {}
        self._loaded = False

    def register(self, spec: DetectorSpec) -> None:
        """Add a detector; registering the same name twice is a programming error."""
        if spec.name in self._specs:
            raise ValueError(f"detector {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        # The API scores requests on many threads at once: until every family is imported, the
        # others wait (flagging "loaded" first let them see half a registry: unknown detectors).
        with _LOADING:
            if self._loaded:
                return
            package = importlib.import_module("trainer.scoring.detectors")
            for module in pkgutil.iter_modules(package.__path__):
                importlib.import_module(f"{package.__name__}.{module.name}")
            self._loaded = True

    def get(self, name: str) -> DetectorSpec:
        """The detector registered under `name` (KeyError if none)."""
        self._ensure_loaded()
        return self._specs[name]

    def __contains__(self, name: str) -> bool:
        self._ensure_loaded()
        return name in self._specs

    def __iter__(self) -> Iterator[DetectorSpec]:
        self._ensure_loaded()
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def suggest(self, name: str) -> str | None:
        """The closest registered name, for 'did you mean' messages."""
        self._ensure_loaded()
        matches = difflib.get_close_matches(name, list(self._specs), n=1, cutoff=0.6)
        return matches[0] if matches else None


registry = DetectorRegistry()


def detector(
    name: str, *, params: type[BaseModel] = NoParams
) -> Callable[[DetectorFn], DetectorFn]:
    """Register a detector function under a versioned name, with an optional params model."""

    def wrap(fn: DetectorFn) -> DetectorFn:
        description = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else name
        registry.register(DetectorSpec(name, description, params, fn))
        return fn

    return wrap
