"""Process start-up: keep spaCy from importing PyTorch it never uses.

spaCy imports thinc, and thinc's `compat` module imports PyTorch when it is installed (it is,
for the speech models), which costs seconds of CPU in every process that scores, ingests or runs
as a worker. Trainer's spaCy pipelines are a tokenizer, rule sentencizer and matchers: none runs
on PyTorch. So while `thinc.compat` initialises, `import torch` fails and thinc records that it
has none; any other code (the speech models) still imports PyTorch normally afterwards. A process
that already imported PyTorch keeps it for thinc too (it is then found in `sys.modules`).
Set TRAINER_SPACY_TORCH=1 to let thinc import PyTorch anyway.
"""

from __future__ import annotations

import os
import sys


class _NoTorchForThinc:
    """A meta path finder that refuses `torch` only to a `thinc.compat` being initialised."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        """Raise ImportError for `torch` while thinc.compat runs; otherwise find nothing."""
        if name == "torch":
            compat = sys.modules.get("thinc.compat")
            spec = getattr(compat, "__spec__", None)
            if spec is not None and getattr(spec, "_initializing", False):
                raise ImportError("Trainer's spaCy pipelines do not use PyTorch")
        return None


def install() -> None:
    """Put the finder first on the import path (once)."""
    if os.environ.get("TRAINER_SPACY_TORCH") == "1":
        return
    if not any(isinstance(finder, _NoTorchForThinc) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NoTorchForThinc())
